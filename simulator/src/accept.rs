//! The one capped accept loop, shared by the INSi listeners and the admin API.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
pub(crate) const ACCEPT_RETRY_PAUSE: Duration = Duration::from_millis(50);

/// Accepts connections on `listener`, at most as many at once as `limit` has permits (over the
/// cap, clients wait in the backlog: the permit is taken before accepting), and runs
/// `serve(stream, shutdown)` for each on its own task. Returns when `shutdown` turns true; each
/// connection holds its permit until it ends, so a caller can drain by acquiring them all.
pub(crate) async fn capped_accept_loop<F, Fut>(
    listener: TcpListener,
    limit: Arc<Semaphore>,
    mut shutdown: watch::Receiver<bool>,
    serve: F,
) where
    F: Fn(TcpStream, watch::Receiver<bool>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&limit).acquire_owned() => match p { Ok(p) => p, Err(_) => return },
            _ = shutdown.changed() => return,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "failed to accept a connection");
                    tokio::time::sleep(ACCEPT_RETRY_PAUSE).await;
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        let connection = serve(stream, shutdown.clone());
        tokio::spawn(async move {
            connection.await;
            drop(permit);
        });
    }
}
