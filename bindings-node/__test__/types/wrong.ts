// Must NOT type-check: the recipient is a number and the audio source has a typo.
import { send } from 'svara'
void send({ recipient: 6128493027184956, audio_ulr: 'https://x/y.m4a' })
