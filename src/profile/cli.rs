//! `halo-onboard profiles`: list and show.
