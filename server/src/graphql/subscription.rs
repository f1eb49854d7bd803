//! Subscriptions (graphql-transport-ws on `/graphql/ws`).

use std::time::Duration;

use std::sync::Arc;

use async_graphql::{Context, ResultExt, Subscription, ID};
use futures::stream::BoxStream;
use futures::StreamExt;

use crate::auth::Scope;
use crate::graphql::session::{guarded, OrgSubscriptions, Session};
use crate::graphql::types::shop::{shop_id, Shop};
use crate::graphql::ContextExt;

/// How often a subscription looks at the shop's sync state (shared through the database, so
/// it sees syncs running on any replica).
const POLL: Duration = Duration::from_millis(300);

/// The subscription root.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// The shop with its sync status, now and each time it changes — a frontend draws a progress
    /// bar from `syncStatus.progress`. Needs `pnl:read`; the shop must be the caller's org's.
    async fn sync_progress(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "shopId", desc = "The shop to follow (its id).")] shop_id_arg: ID,
    ) -> async_graphql::Result<BoxStream<'static, async_graphql::Result<Shop>>> {
        let viewer = ctx.viewer_with(Scope::PnlRead)?;
        let state = ctx.state()?.clone();
        let org = viewer.org.id;
        let id = shop_id(&shop_id_arg).extend()?;
        // Fails here (NOT_FOUND) for a shop of another org, before any event is sent.
        let first = crate::sync::status::shop(state.db.conn(), org, id)
            .await
            .extend()?;
        // Over WebSocket: bounded in number, and ended when the token lapses.
        let guard = match (
            ctx.data_opt::<Session>(),
            ctx.data_opt::<Arc<OrgSubscriptions>>(),
        ) {
            (Some(session), Some(orgs)) => {
                let limits = &state.config.graphql;
                let place = orgs
                    .enter(
                        session,
                        org,
                        limits.subscriptions_per_connection,
                        limits.subscriptions_per_org,
                    )
                    .extend()?;
                Some((session.clone(), place))
            }
            _ => None,
        };
        let events = futures::stream::unfold(
            (
                state.clone(),
                Some(first),
                None::<crate::sync::status::ShopView>,
            ),
            move |(state, pending, last)| async move {
                let mut last = last;
                if let Some(view) = pending {
                    last = Some(view.clone());
                    return Some((Ok(Shop::from(view)), (state, None, last)));
                }
                loop {
                    tokio::time::sleep(POLL).await;
                    match crate::sync::status::shop(state.db.conn(), org, id).await {
                        Ok(view) if Some(&view) == last.as_ref() => {}
                        Ok(view) => {
                            return Some((Ok(Shop::from(view.clone())), (state, None, Some(view))))
                        }
                        Err(error) => {
                            return Some((
                                Err(async_graphql::ErrorExtensions::extend(&error)),
                                (state, None, last),
                            ))
                        }
                    }
                }
            },
        )
        .boxed();
        Ok(match guard {
            Some((session, place)) => guarded(events, state, session, place).boxed(),
            None => events,
        })
    }
}
