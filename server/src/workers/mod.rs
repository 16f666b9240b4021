//! Background work: the device supervisor (and, with their issues, the dispatcher, scheduler
//! and reconciler).
pub mod control;
pub mod dispatcher;
pub mod inbound;
pub mod leases;
pub mod supervisor;
