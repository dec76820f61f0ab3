//! `GET /api/v1/ws`: the live channel. Authenticated like the REST API (session cookie, bearer
//! API key, or `?token=<api key>` for clients that cannot set headers on a WebSocket), then
//! subscribed to the caller's company on the event bus.
//!
//! Heartbeat: the server pings every 20 s and drops a socket that has been silent for 60 s; each
//! heartbeat also re-checks the session, so a logout or removal closes open sockets within 20 s.
//! Clients may send `{"type":"ping"}` and get `{"type":"pong"}`.
//!
//! Each event frame carries a `cursor`. A client that reconnects with `?since=<cursor>` first
//! gets `ready` with `resumed: true` and then every event it missed, in order; `resumed: false`
//! tells it to refetch what it shows (the gap is unknown: too long away, or a server restart).

use std::time::Duration;

use axum::{
    extract::{
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
        Query, State,
    },
    http::{header, HeaderMap},
    response::Response,
};
use axum_extra::extract::CookieJar;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use shared::{ClientMessage, ErrorCode, ServerEvent};
use tokio::{sync::broadcast::error::RecvError, time::Instant};

use crate::{
    auth::{
        extract::{authenticate_api_key, authenticate_session},
        jwt::COOKIE_NAME,
        AuthUser,
    },
    error::{AppError, AppResult},
    events::{Cursor, Subscription},
    state::AppState,
};

const HEARTBEAT: Duration = Duration::from_secs(20);
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize)]
pub struct WsParams {
    token: Option<String>,
    /// The `cursor` of the last event the client saw.
    since: Option<String>,
}

/// Opens the live event socket.
#[utoipa::path(get, path = "/api/v1/ws", tag = "live",
    responses((status = 101, description = "Switching to the WebSocket protocol; frames are ServerEvent JSON"),
        (status = 401, body = shared::ApiErrorBody)))]
pub async fn upgrade(
    State(state): State<AppState>,
    Query(params): Query<WsParams>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> AppResult<Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let (auth, session_token) = match params.token.or(bearer) {
        Some(key) => (authenticate_api_key(&state, key.trim()).await?, None),
        None => {
            let jar = CookieJar::from_headers(&headers);
            let cookie = jar.get(COOKIE_NAME).ok_or_else(AppError::unauthenticated)?;
            check_same_origin(&headers)?;
            let token = cookie.value().to_owned();
            (authenticate_session(&state, &token).await?, Some(token))
        }
    };
    let since = params.since.as_deref().and_then(Cursor::parse);
    Ok(ws.on_upgrade(move |socket| run(socket, state, auth, session_token, since)))
}

/// A cookie-authenticated socket must come from our own pages (cross-site WebSocket hijacking).
fn check_same_origin(headers: &HeaderMap) -> AppResult<()> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(()); // not a browser
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::Forbidden, "WebSocket connections must come from this site."))
    }
}

async fn run(
    socket: WebSocket,
    state: AppState,
    auth: AuthUser,
    session_token: Option<String>,
    since: Option<Cursor>,
) {
    let company_id = auth.company_id();
    let Subscription { receiver: mut events, cursor, missed } =
        state.events.resume(company_id, since);
    let mut stopping = state.shutdown.subscribe();
    // Online (for auto-assignment) for as long as this socket lives.
    let _online = state.events.presence().enter(company_id, auth.user_id);
    let (mut sink, mut stream) = socket.split();
    metrics::gauge!("master_ia_websockets_open").increment(1.0);

    let ready = ServerEvent::Ready { company_id, user_id: auth.user_id, resumed: missed.is_some() };
    let mut alive = send_event(&mut sink, &ready, Some(cursor)).await;
    for item in missed.into_iter().flatten() {
        if !alive {
            break;
        }
        alive = send_event(&mut sink, &item.event, Some(cursor_of(&state, item.seq))).await;
    }
    let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    let mut last_seen = Instant::now();

    while alive {
        tokio::select! {
            event = events.recv() => match event {
                Ok(item) => {
                    let at = cursor_of(&state, item.seq);
                    alive = send_event(&mut sink, &item.event, Some(at)).await;
                }
                Err(RecvError::Lagged(missed)) => {
                    // The client fell too far behind: close so it reconnects and refetches.
                    tracing::warn!(%company_id, missed, "websocket subscriber lagged; closing");
                    let _ = sink.send(close(1013, "lagged, reconnect")).await;
                    alive = false;
                }
                Err(RecvError::Closed) => alive = false,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    last_seen = Instant::now();
                    if let Ok(ClientMessage::Ping) = serde_json::from_str::<ClientMessage>(&text) {
                        alive = send_event(&mut sink, &ServerEvent::Pong, None).await;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => alive = false,
                Some(Ok(_)) => last_seen = Instant::now(),
            },
            _ = stopping.changed() => {
                let _ = sink.send(close(1001, "server restarting")).await;
                alive = false;
            }
            _ = heartbeat.tick() => {
                if last_seen.elapsed() > IDLE_TIMEOUT {
                    alive = false;
                } else if let Some(token) = &session_token {
                    if authenticate_session(&state, token).await.is_err() {
                        let _ = sink.send(close(4401, "session ended")).await;
                        alive = false;
                    }
                }
                if alive {
                    alive = sink.send(Message::Ping(Default::default())).await.is_ok();
                }
            }
        }
    }
    let _ = sink.close().await;
    metrics::gauge!("master_ia_websockets_open").decrement(1.0);
}

fn cursor_of(state: &AppState, seq: u64) -> Cursor {
    Cursor { stream: state.events.stream(), seq }
}

/// Sends `{"type", "data", "cursor"?}`.
async fn send_event(
    sink: &mut futures::stream::SplitSink<WebSocket, Message>,
    event: &ServerEvent,
    cursor: Option<Cursor>,
) -> bool {
    let framed = serde_json::to_value(event).map(|mut frame| {
        if let (Some(cursor), Some(fields)) = (cursor, frame.as_object_mut()) {
            fields.insert("cursor".into(), cursor.encode().into());
        }
        frame.to_string()
    });
    match framed {
        Ok(json) => sink.send(Message::Text(Utf8Bytes::from(json))).await.is_ok(),
        Err(err) => {
            tracing::error!(error = %err, "serialising a live event");
            true
        }
    }
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) }))
}
