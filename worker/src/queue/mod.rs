//! How this worker reads its queues where apalis-redis alone would not do.

mod bounded_redis;

pub use bounded_redis::{BoundedRedis, Tuning};
