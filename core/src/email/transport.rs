//! Handing messages over: SMTP through lettre, or `.eml` files (the embedded default).

use std::path::PathBuf;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::entity;

/// Where mail goes.
#[derive(Debug, Clone)]
pub enum MailerSettings {
    /// An SMTP server, by URL as lettre's `from_url` reads it: `smtp://host:port` (plain),
    /// `smtp://host:587?tls=required` (STARTTLS), `smtps://host:465` (implicit TLS), with
    /// `user:password@` for authentication.
    Smtp {
        /// The server's URL (holds credentials: never logged).
        url: String,
        /// The sender (`Civitas <noreply@example.org>`).
        from: String,
    },
    /// One `.eml` file per message in a directory.
    Files {
        /// The directory (created if missing).
        dir: PathBuf,
        /// The sender.
        from: String,
    },
}

/// Why a message could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The settings are unusable (a bad URL or sender).
    #[error("mail settings: {0}")]
    Settings(String),
    /// The message could not be built (a bad stored address).
    #[error("cannot build the message: {0}")]
    Message(String),
    /// The server or the file system refused or failed.
    #[error("cannot send: {0}")]
    Send(String),
}

/// A transport that sends stored messages.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    /// The server's public address, for the unsubscribe links.
    public_url: Option<String>,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.transport {
            Transport::Smtp(_) => "smtp",
            Transport::Files(_) => "files",
        };
        f.debug_struct("Mailer").field("transport", &kind).finish()
    }
}

impl Mailer {
    /// A mailer for `settings` (an SMTP connection pool is opened on first use).
    pub fn new(settings: &MailerSettings) -> Result<Mailer, MailError> {
        let (from, transport) = match settings {
            MailerSettings::Smtp { url, from } => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    // lettre's message may quote the URL, credentials included: say only what failed.
                    .map_err(|_| MailError::Settings("the SMTP URL is not valid (smtp://, smtps://)".to_owned()))?
                    .build();
                (from, Transport::Smtp(transport))
            }
            MailerSettings::Files { dir, from } => {
                std::fs::create_dir_all(dir)
                    .map_err(|error| MailError::Settings(format!("{}: {error}", dir.display())))?;
                (from, Transport::Files(AsyncFileTransport::new(dir)))
            }
        };
        let from = from.parse().map_err(|error| MailError::Settings(format!("the sender `{from}`: {error}")))?;
        Ok(Mailer { from, transport, public_url: None })
    }

    /// Gives every message a one-click unsubscribe link (RFC 8058) to `url/unsubscribe/…`,
    /// `url` being how recipients reach this server (`https://civitas.example.org`).
    pub fn with_public_url(mut self, url: &str) -> Mailer {
        self.public_url = Some(url.trim_end_matches('/').to_owned());
        self
    }

    /// Hands one stored message over, with the unsubscribe link of `token` when the server's
    /// public address is known.
    pub(crate) async fn send(&self, row: &entity::Model, token: &str) -> Result<(), MailError> {
        let to: Mailbox =
            row.recipient.parse().map_err(|_| MailError::Message("the recipient's address".to_owned()))?;
        let mut builder = Message::builder();
        if let Some(base) = &self.public_url {
            builder = builder
                .header(ListUnsubscribe(format!("<{base}/unsubscribe/{token}>")))
                .header(ListUnsubscribePost("List-Unsubscribe=One-Click".to_owned()));
        }
        let message = builder
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(row.message_id.clone()))
            .header(ContentLanguage(row.locale.clone()))
            .multipart(MultiPart::alternative_plain_html(row.body_text.clone(), row.body_html.clone()))
            .map_err(|error| MailError::Message(error.to_string()))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.map(drop).map_err(|error| MailError::Send(error.to_string()))
            }
            Transport::Files(files) => {
                files.send(message).await.map(drop).map_err(|error| MailError::Send(error.to_string()))
            }
        }
    }
}

/// A header whose value is a plain string, for the headers lettre does not define.
macro_rules! text_header {
    ($(#[$doc:meta])* $name:ident = $header:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        struct $name(String);

        impl Header for $name {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($header)
            }

            fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($name(text.to_owned()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(
    /// `Content-Language` (RFC 3282): the message's language, for mail clients and screen readers.
    ContentLanguage = "Content-Language"
);
text_header!(
    /// `List-Unsubscribe` (RFC 2369): where to unsubscribe.
    ListUnsubscribe = "List-Unsubscribe"
);
text_header!(
    /// `List-Unsubscribe-Post` (RFC 8058): the link works with one POST, no page to fill.
    ListUnsubscribePost = "List-Unsubscribe-Post"
);
