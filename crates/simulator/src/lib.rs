//! A local Slack workspace on loopback that speaks the real wire format.
