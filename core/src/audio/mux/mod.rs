//! Containers, one per target format: M4A for AAC ([`m4a`]), Ogg for Opus ([`ogg`]).

pub(crate) mod m4a;
pub(crate) mod ogg;
