//! Collecting a paged list into memory with a bound, so that an unexpectedly long list fails
//! clearly instead of exhausting memory or time.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::{Stream, StreamExt};

use crate::problem::ApiError;

/// Bounded collection of the paging streams that every list operation's `.stream()` returns.
///
/// ```
/// use ucr_sdk::{Client, CollectError, PageStreamExt};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let registry = ucr_mock::MockRegistry::start().await;
/// let client = Client::builder(registry.uri()).build()?;
///
/// // Walks the pages until the end, failing if more than 10,000 projects come back.
/// let projects = client.list_accu_projects().state("QLD").stream().collect_at_most(10_000).await?;
/// assert!(!projects.is_empty());
///
/// // Too many: the walk stops at the first surplus item, without fetching further pages.
/// let err = client.list_accu_projects().limit(5).stream().collect_at_most(3).await.unwrap_err();
/// assert!(matches!(err, CollectError::TooMany { max_items: 3 }));
/// # Ok(())
/// # }
/// ```
pub trait PageStreamExt<T, E>: Stream<Item = Result<T, E>> + Unpin + Sized {
    /// Collects every item, or fails with [`CollectError::TooMany`] as soon as the stream yields
    /// item number `max_items + 1`, or with [`CollectError::Request`] on the first failed page.
    fn collect_at_most(self, max_items: usize) -> CollectAtMost<Self, T> {
        CollectAtMost {
            stream: self,
            items: Vec::new(),
            max_items,
        }
    }
}

impl<S, T, E> PageStreamExt<T, E> for S where S: Stream<Item = Result<T, E>> + Unpin {}

/// Why [`PageStreamExt::collect_at_most`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError<E = ApiError> {
    /// The list has more than `max_items` items.
    #[error("the list has more than {max_items} items")]
    TooMany {
        /// The bound that was exceeded.
        max_items: usize,
    },
    /// A page could not be fetched.
    #[error("a page could not be fetched: {0}")]
    Request(#[source] E),
}

impl<E> CollectError<E> {
    /// The request error, when a page could not be fetched.
    pub fn request(&self) -> Option<&E> {
        match self {
            CollectError::Request(error) => Some(error),
            CollectError::TooMany { .. } => None,
        }
    }
}

/// The future returned by [`PageStreamExt::collect_at_most`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct CollectAtMost<S, T> {
    stream: S,
    items: Vec<T>,
    max_items: usize,
}

// The items are never pinned: they are only moved into the `Vec`.
impl<S: Unpin, T> Unpin for CollectAtMost<S, T> {}

impl<S, T, E> Future for CollectAtMost<S, T>
where
    S: Stream<Item = Result<T, E>> + Unpin,
{
    type Output = Result<Vec<T>, CollectError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every field is Unpin (the stream by bound, the Vec always), so the future is too.
        let this = Pin::into_inner(self);
        loop {
            match ready!(this.stream.poll_next_unpin(cx)) {
                Some(Ok(item)) => {
                    if this.items.len() == this.max_items {
                        return Poll::Ready(Err(CollectError::TooMany {
                            max_items: this.max_items,
                        }));
                    }
                    this.items.push(item);
                }
                Some(Err(error)) => return Poll::Ready(Err(CollectError::Request(error))),
                None => return Poll::Ready(Ok(std::mem::take(&mut this.items))),
            }
        }
    }
}
