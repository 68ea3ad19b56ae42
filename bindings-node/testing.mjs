// ESM entry of svara/testing.
import testing from './testing.js'

export const { startEmulator, Emulator, EMULATOR_DEFAULTS } = testing
export default testing
