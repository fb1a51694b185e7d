//! placeholder while the client is written
