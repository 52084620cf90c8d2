pub(crate) mod admit;
pub(crate) mod verify;
