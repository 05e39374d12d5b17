//! Tessera's one integration-test binary: real sockets, real MIT and Heimdal peers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin_acl_remote;
mod admin_extreme_times;
mod admin_mit;
mod admin_preauth;
mod admin_pty;
mod admin_remote;
mod ap_acceptor;
mod ap_fixture;
mod ap_priv_safe;
mod client_tessera_kdc;
mod client_transport;
mod echo_example_dev;
mod faults_common;
mod faults_disk;
mod faults_logs;
mod gss_echo;
mod gss_mit;
mod gss_mit_our_kdc;
mod heimdal_clients;
mod heimdal_kdc;
mod heimdal_peers;
mod interop_matrix;
mod kdc_dev;
mod kdc_flood;
mod kdc_fresh;
mod kdc_lockout;
mod kdc_mit;
mod kdc_mit_account;
mod kdc_mit_errors;
mod kinit_pwchange;
mod kinit_spoofed_s2k;
mod kpasswd_mit;
mod mit_asrep;
mod mit_crypto;
mod mit_harness;
