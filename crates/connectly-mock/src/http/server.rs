//! The server: [`THREADS`] threads of its own, each running a single-threaded tokio runtime
//! of its own; the first accepts connections and hands them out in turn, and each serves
//! its connections with hyper's HTTP/1.1 until the server is stopped.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::sync::watch;

use super::exchange;
use super::socket::{Cut, Socket};
use super::Service;

/// The serving threads. On the 2-core bench machine, shared with the client, two runtimes
/// of one thread each served more requests a second than one or four, and spent less CPU
/// a request than one multi-threaded runtime of two workers (work stealing costs wake-ups).
const THREADS: usize = 2;
/// The largest request head (request line and headers).
const MAX_HEAD: usize = 64 * 1024;
/// How long a stop waits for answers made on threads of their own (a webhook delivery
/// times out after 10 s).
const STOP_GRACE: Duration = Duration::from_secs(11);

/// A running server. Stops on [`HttpServer::shutdown`] or on drop.
#[derive(Debug)]
pub(crate) struct HttpServer {
    addr: SocketAddr,
    /// Dropped to stop the threads.
    stop: Option<watch::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl HttpServer {
    /// Serves `service` on a bound listener.
    pub(crate) fn serve(listener: TcpListener, service: impl Service) -> io::Result<HttpServer> {
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(());
        let mut server = HttpServer {
            addr,
            stop: Some(stop),
            threads: Vec::with_capacity(THREADS),
        };
        let mut runtimes = Vec::with_capacity(THREADS);
        for n in 0..THREADS {
            let (thread, runtime) = run(addr, n, stopped.clone())?;
            server.threads.push(thread);
            runtimes.push(runtime);
        }
        let Some(first) = runtimes.first() else {
            return Err(io::Error::other("the server has no threads"));
        };
        listener.set_nonblocking(true)?;
        let listener = {
            let _entered = first.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        first.spawn(accept(listener, runtimes.clone(), Arc::new(service)));
        Ok(server)
    }

    /// The bound address.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, drops the open connections (whatever they were doing) and waits
    /// for the server's threads.
    pub(crate) fn shutdown(mut self) {
        self.stop();
    }

    /// Drops the stop signal and joins the threads, once.
    fn stop(&mut self) {
        self.stop.take();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts serving thread `n`: its runtime runs until `stopped` sees the server's stop.
/// The runtime is made, run and dropped on that thread only, since dropping a runtime
/// where async code runs (a caller's own runtime) would panic.
fn run(
    addr: SocketAddr,
    n: usize,
    mut stopped: watch::Receiver<()>,
) -> io::Result<(JoinHandle<()>, Handle)> {
    let (started, start) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(format!("connectly-mock-{}-{n}", addr.port()))
        .spawn(move || {
            let built = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            match built {
                Ok(runtime) => {
                    let _ = started.send(Ok(runtime.handle().clone()));
                    runtime.block_on(async { while stopped.changed().await.is_ok() {} });
                    runtime.shutdown_timeout(STOP_GRACE);
                }
                Err(e) => {
                    let _ = started.send(Err(e));
                }
            }
        })?;
    let runtime = start
        .recv()
        .unwrap_or_else(|_| Err(io::Error::other("a server thread ended early")))?;
    Ok((thread, runtime))
}

/// Accepts connections and hands them to the runtimes in turn, each to serve on a task
/// of its own.
async fn accept(
    listener: tokio::net::TcpListener,
    runtimes: Vec<Handle>,
    service: Arc<dyn Service>,
) {
    let mut http = http1::Builder::new();
    // hyper's own limit of 100 headers stands: setting one moves them to the heap.
    http.auto_date_header(false).max_header_size(MAX_HEAD);
    for runtime in runtimes.iter().cycle() {
        // Each runtime takes its connections over from the accepting one.
        let accepted = listener.accept().await;
        let stream = match accepted.and_then(|(stream, _)| stream.into_std()) {
            Ok(stream) => stream,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                if !matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::Interrupted
                ) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                continue;
            }
        };
        let http = http.clone();
        let service = Arc::clone(&service);
        runtime.spawn(async move {
            let Ok(stream) = TcpStream::from_std(stream) else {
                return;
            };
            let _ = stream.set_nodelay(true);
            let cut = Arc::new(Cut::default());
            let socket = Socket::new(stream, Arc::clone(&cut));
            let answer = service_fn(move |request| {
                exchange::answer(Arc::clone(&service), Arc::clone(&cut), request)
            });
            let _ = http.serve_connection(socket, answer).await;
        });
    }
}
