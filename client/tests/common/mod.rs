//! Helpers shared by the client's integration tests: an in-process simulator on the shared
//! test PKI and a client configured for it.

#![allow(dead_code, reason = "each test binary uses a different subset")]

pub mod xsd;

use std::sync::Arc;
use std::time::Duration;

use insilab_client::{ClientConfig, InsiClient, TraitsQuery};
use insilab_simulator::{Simulator, SimulatorConfig, SimulatorHandle, TlsSource};

/// Starts a simulator on free loopback ports with the embedded dataset.
pub async fn simulator() -> (SimulatorHandle, Arc<insilab_certs::Pki>) {
    let pki = Arc::new(insilab_certs::testing::shared_pki().expect("shared test pki"));
    let mut config = SimulatorConfig::ephemeral(TlsSource::Pki(Arc::clone(&pki)));
    config.admin_listen = None;
    let handle = Simulator::start(config).await.expect("simulator starts");
    (handle, pki)
}

/// The client settings for `sim` (fixed instance so that snapshots are stable).
pub fn config(sim: &SimulatorHandle) -> ClientConfig {
    ClientConfig {
        url: sim.endpoint_url(),
        instance: insilab_client::uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        software_version: "1.0.0".into(),
        connect_timeout: Duration::from_secs(10),
        total_timeout: Duration::from_secs(20),
        ..ClientConfig::default()
    }
}

/// A client presenting the `insi-auto` identity of the shared PKI.
pub fn client(sim: &SimulatorHandle, pki: &insilab_certs::Pki) -> InsiClient {
    client_with(config(sim), pki)
}

/// A client with custom settings presenting `insi-auto`.
pub fn client_with(config: ClientConfig, pki: &insilab_certs::Pki) -> InsiClient {
    let tls = pki.client_config("insi-auto").expect("client tls config");
    InsiClient::from_rustls(config, tls).expect("client")
}

/// A traits query.
pub fn traits(
    name: &str,
    first_names: &str,
    sex: &str,
    date: &str,
    place: Option<&str>,
) -> TraitsQuery {
    TraitsQuery {
        birth_name: name.into(),
        first_names: first_names.split(' ').map(str::to_owned).collect(),
        sex: sex.into(),
        birth_date: date.into(),
        birthplace: place.map(str::to_owned),
    }
}
