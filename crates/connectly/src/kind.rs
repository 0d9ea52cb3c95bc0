//! The kinds of failure, as plain enums every binding maps exhaustively.
//!
//! [`Error::kind`](crate::Error::kind) and [`Refusal::kind`](crate::Refusal::kind) (and
//! [`WebhookError::kind`](crate::WebhookError::kind)) reduce an error to its kind. The C
//! status, the Python exception class and the CLI's exit code are each one `match` on a kind
//! with no wildcard, so a kind added here does not compile until every binding maps it; and
//! each kind's `ALL` lets a test walk every mapping.

/// Declares a fieldless kind enum with its `ALL` list and its stable `name`, from one list of
/// variants, so the three cannot drift apart.
macro_rules! kinds {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$doc:meta])* $variant:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$doc])* $variant,)*
        }

        impl $name {
            /// Every kind, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The kind's name, such as the variant's own: stable across releases, and the
            /// name the shared test vectors use.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)*
                }
            }
        }
    };
}

kinds! {
    /// What kind of [`Error`](crate::Error) a client call failed with.
    pub enum ErrorKind {
        /// An input was refused before anything was sent.
        Validation,
        /// The client could not be configured.
        Config,
        /// The API refused the API key.
        Authentication,
        /// The API answered 429 and no attempt was left.
        RateLimited,
        /// The API refused the request with another 4xx.
        Api,
        /// The API failed with a 5xx.
        Server,
        /// The API answered with a redirect, which is never followed.
        Redirect,
        /// No answer came in time.
        Timeout,
        /// The connection failed or broke.
        Transport,
        /// The TLS handshake failed.
        Tls,
        /// The answer was larger than the SDK reads.
        ResponseTooLarge,
        /// The call was interrupted by its [`Interrupt`](crate::Interrupt) hook.
        Cancelled,
    }
}

kinds! {
    /// What kind of [`Refusal`](crate::Refusal) (or [`WebhookError`](crate::WebhookError)) a
    /// delivery or a webhook secret met.
    pub enum RefusalKind {
        /// The method was not POST.
        MethodNotAllowed,
        /// The Content-Encoding is not one the SDK undoes.
        UnsupportedEncoding,
        /// The body claims gzip but is not valid gzip.
        MalformedEncoding,
        /// The signature header was absent or blank.
        MissingSignature,
        /// The signature is not base64 of 32 bytes.
        MalformedSignature,
        /// The signature matches no secret.
        InvalidSignature,
        /// The body is over the size limit.
        PayloadTooLarge,
        /// The body is signed but is not an event.
        InvalidPayload,
        /// A webhook secret is unusable.
        InvalidSecret,
        /// The timestamp is outside the tolerance.
        TimestampOutsideTolerance,
    }
}
