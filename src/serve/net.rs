//! The network side of `serve`: one listening socket on 127.0.0.1, served by hyper on a
//! single-threaded tokio runtime, with every resource bounded.
//!
//! - Threads are all started before the first request (the runtime's thread and the one
//!   that turns rebuilds into live-reload wake-ups), so no request can make thread creation
//!   fail, however many connections are open.
//! - At most [`MAX_CONNECTIONS`] connections are served at once, and [`MAX_STREAMS`] of them
//!   may be live-reload streams. A connection past the bound is answered `503` with
//!   `Retry-After` (up to [`MAX_REFUSING`] of those at once; past that it is closed).
//! - A request head must arrive within [`HEAD_TIMEOUT`], also between two requests on a
//!   kept-alive connection, so idle and slow clients give their place back.
//! - A response the client does not read for [`WRITE_TIMEOUT`] ends its connection, so a
//!   client that asks and never reads cannot hold a place for good either.
//! - A failed `accept` (no file descriptors left, say) is reported at most every
//!   [`NOTICE_EVERY`] and retried: the server keeps listening.
//!
//! What to answer is decided by [`http::respond`]; this module only moves bytes.

use super::http::{self, Answer, Head, Local, MAX_HEADERS, Reply};
use super::state::State;
use crate::coverage::CoverageMemo;
use crate::diag::render_human;
use crate::pipeline::{self, BuildOptions};
use crate::sync::Kept as _;
use http_body_util::{Either, Full};
use hyper::body::{Body, Bytes, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, Uri};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Sleep;

/// Connections served at once (each costs a file descriptor and a few KiB).
pub const MAX_CONNECTIONS: usize = 128;
/// Live-reload streams open at once: one per open page.
pub const MAX_STREAMS: usize = 64;
/// Connections being told `503` at once; past that a new connection is closed at once.
pub(crate) const MAX_REFUSING: usize = 64;
/// The time a client has to send a request head.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a write may wait for the client to read.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The time a connection past the bound has to send its request before it is closed
/// without an answer; short, so idle connections cannot hold the places of [`MAX_REFUSING`].
const REFUSE_TIMEOUT: Duration = Duration::from_secs(1);
/// How often an idle event stream sends a comment, to notice closed pages.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The shortest time between two terminal notices about the same trouble.
const NOTICE_EVERY: Duration = Duration::from_secs(10);

type ResponseBody = Either<Full<Bytes>, EventStream>;

/// The bound socket, before serving starts.
pub(crate) struct Listener {
    socket: std::net::TcpListener,
    local: Local,
}

impl Listener {
    /// Binds 127.0.0.1:`port` (0 picks a free port).
    pub(crate) fn bind(port: u16) -> Result<Listener, String> {
        let socket = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
            format!(
                "cannot listen on 127.0.0.1:{port}: {e} (choose another with --port, or --port 0 for any free port)"
            )
        })?;
        let port = socket
            .local_addr()
            .map_err(|e| format!("the server has no TCP address: {e}"))?
            .port();
        Ok(Listener {
            socket,
            local: Local { port },
        })
    }

    /// The address actually bound.
    pub(crate) fn local(&self) -> Local {
        self.local
    }

    /// Starts serving `state` in the background; returns once the threads run. `site`:
    /// the build options of the served site, for the coverage page.
    pub(crate) fn start(self, state: Arc<State>, site: BuildOptions) -> Result<(), String> {
        let cannot = |e: std::io::Error| format!("cannot start the preview server: {e}");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(cannot)?;
        self.socket.set_nonblocking(true).map_err(cannot)?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(self.socket).map_err(cannot)?
        };
        let (generation, watching) = watch::channel(state.snapshot().generation);
        let shared = Arc::new(Shared {
            state: state.clone(),
            site: Arc::new(site),
            local: self.local,
            generation: watching,
            connections: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            streams: Arc::new(Semaphore::new(MAX_STREAMS)),
            refusing: Arc::new(Semaphore::new(MAX_REFUSING)),
            accept_notice: Notice::default(),
            full_notice: Notice::default(),
            streams_notice: Notice::default(),
            coverage: Arc::default(),
        });
        std::thread::Builder::new()
            .name("sitegen-reload".into())
            .spawn(move || forward_generations(&state, &generation))
            .map_err(cannot)?;
        std::thread::Builder::new()
            .name("sitegen-http".into())
            .spawn(move || runtime.block_on(accept_loop(listener, shared)))
            .map_err(cannot)?;
        Ok(())
    }
}

/// What every connection task shares.
struct Shared {
    state: Arc<State>,
    site: Arc<BuildOptions>,
    local: Local,
    /// The latest generation, for live-reload streams to wait on.
    generation: watch::Receiver<u64>,
    connections: Arc<Semaphore>,
    streams: Arc<Semaphore>,
    refusing: Arc<Semaphore>,
    accept_notice: Notice,
    full_notice: Notice,
    streams_notice: Notice,
    /// The coverage page's memo, kept in memory between requests (serve writes none).
    coverage: Arc<Mutex<CoverageMemo>>,
}

/// A terminal line printed at most every [`NOTICE_EVERY`].
#[derive(Default)]
struct Notice(Mutex<Option<Instant>>);

impl Notice {
    fn say(&self, message: impl FnOnce() -> String) {
        let mut last = self.0.lock_kept();
        if last.is_none_or(|at| at.elapsed() >= NOTICE_EVERY) {
            *last = Some(Instant::now());
            say!("sitegen: {}", message());
        }
    }
}

/// Blocks on the rebuild loop's state and passes each new generation to the streams.
fn forward_generations(state: &State, generation: &watch::Sender<u64>) {
    let mut seen = *generation.borrow();
    loop {
        let now = state.wait_past(seen, Duration::from_secs(3600));
        if now != seen {
            seen = now;
            generation.send_replace(now);
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                shared
                    .accept_notice
                    .say(|| format!("cannot accept a connection ({e}); still listening, retrying"));
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        if let Ok(permit) = shared.connections.clone().try_acquire_owned() {
            tokio::spawn(serve(stream, shared.clone(), permit));
        } else {
            shared.full_notice.say(|| {
                format!("{MAX_CONNECTIONS} connections are open, the most served at once; answering 503 until some close")
            });
            if let Ok(permit) = shared.refusing.clone().try_acquire_owned() {
                tokio::spawn(refuse(stream, permit));
            }
        }
    }
}

fn builder() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_headers(MAX_HEADERS)
        .max_buf_size(64 * 1024);
    builder
}

/// Serves one connection; its place is given back when it ends.
async fn serve(stream: TcpStream, shared: Arc<Shared>, _place: OwnedSemaphorePermit) {
    let service = service_fn(move |request| {
        let response = answer(&request, &shared);
        let shared = shared.clone();
        async move {
            let response = match response {
                Some(r) => r,
                None => coverage(&shared).await,
            };
            Ok::<_, Infallible>(response)
        }
    });
    let _ = builder()
        .serve_connection(TokioIo::new(Stalling::new(stream)), service)
        .await;
}

/// Tells a connection past the bound to come back later, then closes it.
async fn refuse(stream: TcpStream, _place: OwnedSemaphorePermit) {
    let service = service_fn(|_: Request<Incoming>| async {
        Ok::<_, Infallible>(full(http::busy("connections")))
    });
    let mut builder = builder();
    builder
        .keep_alive(false)
        .header_read_timeout(REFUSE_TIMEOUT);
    let _ = builder
        .serve_connection(TokioIo::new(Stalling::new(stream)), service)
        .await;
}

/// The coverage page, made on a blocking thread (it loads and renders the site).
async fn coverage(shared: &Shared) -> Response<ResponseBody> {
    let (site, memo) = (shared.site.clone(), shared.coverage.clone());
    let made = tokio::task::spawn_blocking(move || {
        // One page at a time: a second request finds the first one's memo.
        let mut memo = memo.lock_kept();
        let (input, report, _) = pipeline::coverage(&site, &mut memo).map_err(|problems| {
            let all: Vec<String> = problems
                .into_sorted()
                .iter()
                .map(|d| render_human(d, false))
                .collect();
            all.join("\n\n")
        })?;
        Ok(crate::coverage::page::html(&input, &report, &site.root))
    })
    .await
    .unwrap_or_else(|e| Err(format!("the coverage page could not be made: {e}")));
    full(http::coverage_reply(&shared.state.snapshot(), made))
}

/// The response to a request; `None` for the coverage page, which [`coverage`] makes.
fn answer(request: &Request<Incoming>, shared: &Shared) -> Option<Response<ResponseBody>> {
    let head = Head {
        method: request.method().as_str().to_string(),
        target: target(request.uri()),
        hosts: request
            .headers()
            .get_all(hyper::header::HOST)
            .iter()
            .map(|v| v.as_bytes().to_vec())
            .collect(),
    };
    Some(
        match http::respond(&head, &shared.state.snapshot(), shared.local) {
            Answer::Reply(reply) => full(reply),
            Answer::Coverage => return None,
            Answer::Events { since } => match shared.streams.clone().try_acquire_owned() {
                Ok(place) => events(EventStream::new(since, shared.generation.clone(), place)),
                Err(_) => {
                    shared.streams_notice.say(|| {
                    format!("{MAX_STREAMS} pages are listening for reloads, the most at once; more get 503")
                });
                    full(http::busy("live-reload streams"))
                }
            },
        },
    )
}

/// The target as the client sent it: origin form (`/a?b`) as is; any other form in full,
/// which [`http::respond`] refuses.
fn target(uri: &Uri) -> String {
    match (uri.scheme(), uri.authority(), uri.path_and_query()) {
        (None, None, Some(path)) => path.as_str().to_string(),
        _ => uri.to_string(),
    }
}

fn full(reply: Reply) -> Response<ResponseBody> {
    let mut builder = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(*name, value);
    }
    builder
        .body(Either::Left(Full::new(Bytes::from(reply.body))))
        .unwrap_or_else(|_| {
            let mut r = Response::new(Either::Left(Full::new(Bytes::from_static(
                b"internal error: a header could not be written\n",
            ))));
            *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            r
        })
}

fn events(stream: EventStream) -> Response<ResponseBody> {
    let mut r = Response::new(Either::Right(stream));
    let headers = r.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    r
}

/// The Server-Sent Events stream: a `retry` hint, a comment every [`KEEP_ALIVE`], and one
/// `reload` event once the generation moves past `since`; then it ends (the page reloads
/// and opens a new one). Holds its place among [`MAX_STREAMS`] until dropped.
struct EventStream {
    started: bool,
    done: bool,
    changed: Pin<Box<dyn Future<Output = Option<u64>> + Send>>,
    tick: Pin<Box<Sleep>>,
    _place: OwnedSemaphorePermit,
}

impl EventStream {
    fn new(since: u64, mut generation: watch::Receiver<u64>, place: OwnedSemaphorePermit) -> Self {
        let changed = async move {
            let now = generation.wait_for(|g| *g != since).await.ok()?;
            Some(*now)
        };
        EventStream {
            started: false,
            done: false,
            changed: Box::pin(changed),
            tick: Box::pin(tokio::time::sleep(KEEP_ALIVE)),
            _place: place,
        }
    }
}

impl Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        let data = |bytes: Bytes| Poll::Ready(Some(Ok(Frame::data(bytes))));
        if this.done {
            return Poll::Ready(None);
        }
        if !this.started {
            this.started = true;
            return data(Bytes::from_static(b"retry: 1000\n\n"));
        }
        if let Poll::Ready(generation) = this.changed.as_mut().poll(cx) {
            this.done = true;
            return match generation {
                Some(g) => data(Bytes::from(format!("event: reload\ndata: {g}\n\n"))),
                None => Poll::Ready(None),
            };
        }
        if this.tick.as_mut().poll(cx).is_ready() {
            let next = tokio::time::Instant::now() + KEEP_ALIVE;
            this.tick.as_mut().reset(next);
            return data(Bytes::from_static(b": keep-alive\n\n"));
        }
        Poll::Pending
    }
}

/// A connection whose writes fail once one has waited [`WRITE_TIMEOUT`] for the client to
/// read (the kernel's buffers full); reads pass through.
struct Stalling {
    stream: TcpStream,
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Stalling {
    fn new(stream: TcpStream) -> Self {
        Stalling {
            stream,
            stalled: None,
        }
    }

    /// Passes a ready write on (and forgets any stall); turns one pending past the
    /// timeout into an error.
    fn check<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        if poll.is_ready() {
            self.stalled = None;
            return poll;
        }
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_TIMEOUT)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Stalling {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stalling {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.check(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.check(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_flush(cx);
        this.check(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_shutdown(cx);
        this.check(cx, poll)
    }
}
