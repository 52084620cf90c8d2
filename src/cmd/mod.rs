pub(crate) mod admit;
pub(crate) mod build;
pub(crate) mod expand;
pub(crate) mod init;
pub(crate) mod policies;
pub(crate) mod serve;
pub(crate) mod verify;
