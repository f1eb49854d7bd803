//! Wire-accurate simulators of the channel APIs (being written).
