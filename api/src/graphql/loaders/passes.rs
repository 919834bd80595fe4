//! When a batch is complete. A DataLoader collects the keys asked for
//! within a time window and then runs one query; on a busy machine the
//! window can close while a list's resolvers are still asking, and the
//! batch splits (more statements for the same response). Here a batch
//! waits instead for the request to go idle: the executor has polled
//! every resolver that can make progress, and each one that needs the
//! loader has asked. The request's future is [`drive`]n: its polls are
//! counted and its wake-ups noticed, and batches spawned from inside it
//! start once a poll has ended with no wake-up pending.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::Notify;

tokio::task_local! {
    static PASSES: Arc<Passes>;
}

#[derive(Default)]
struct Passes {
    /// Polls of the request's future finished so far.
    ended: AtomicU64,
    /// Woken since its last poll began: more resolvers are about to ask.
    woken: AtomicBool,
    /// The request is over (answered, or dropped on its timeout): nothing
    /// more will ask.
    over: AtomicBool,
    idle: Notify,
}

/// Forwards a wake-up after noting it.
struct Noting {
    passes: Arc<Passes>,
    inner: Waker,
}

impl Wake for Noting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.passes.woken.store(true, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

struct Counted<F> {
    inner: Pin<Box<F>>,
    passes: Arc<Passes>,
    /// The task's waker and the noting one around it, kept while the task
    /// stays the same (it almost always does), so a poll allocates nothing.
    waker: Option<(Waker, Waker)>,
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let passes = self.passes.clone();
        passes.woken.store(false, Ordering::SeqCst);
        let waker = match &self.waker {
            Some((task, noting)) if task.will_wake(cx.waker()) => noting.clone(),
            _ => {
                let noting = Waker::from(Arc::new(Noting {
                    passes: passes.clone(),
                    inner: cx.waker().clone(),
                }));
                self.waker = Some((cx.waker().clone(), noting.clone()));
                noting
            }
        };
        let out = self.inner.as_mut().poll(&mut Context::from_waker(&waker));
        passes.ended.fetch_add(1, Ordering::SeqCst);
        passes.idle.notify_waiters();
        out
    }
}

impl<F> Drop for Counted<F> {
    fn drop(&mut self) {
        self.passes.over.store(true, Ordering::SeqCst);
        self.passes.idle.notify_waiters();
    }
}

/// Run a request's execution so that its DataLoader batches are whole.
pub async fn drive<F: Future>(request: F) -> F::Output {
    let passes = Arc::new(Passes::default());
    let counted = Counted {
        inner: Box::pin(request),
        passes: passes.clone(),
        waker: None,
    };
    PASSES.scope(passes, counted).await
}

/// The DataLoaders' spawner: a batch asked for inside a driven request
/// waits for it to go idle; elsewhere (a batch's own look-ups, the command
/// line) it waits a millisecond, DataLoader's usual window.
pub fn spawn(batch: BoxFuture<'static, ()>) {
    match PASSES.try_with(|p| (p.clone(), p.ended.load(Ordering::SeqCst))) {
        Ok((passes, seen)) => {
            tokio::spawn(async move {
                loop {
                    let next_pass = passes.idle.notified();
                    let idle = passes.ended.load(Ordering::SeqCst) > seen
                        && !passes.woken.load(Ordering::SeqCst);
                    if idle || passes.over.load(Ordering::SeqCst) {
                        break;
                    }
                    next_pass.await;
                }
                batch.await
            });
        }
        Err(_) => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                batch.await
            });
        }
    }
}
