//! Who a text message goes to.

/// A message's recipient: a channel and an id on it.
///
/// The channel is passed through as given, so channels the SDK does not name yet still work.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Recipient {
    channel: String,
    id: String,
}

impl Recipient {
    /// A recipient on any channel, named as the API names it.
    pub fn new(channel: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            channel: channel.into(),
            id: id.into(),
        }
    }

    /// A WhatsApp recipient: an E.164 number such as `+15555555555`.
    pub fn whatsapp(id: impl Into<String>) -> Self {
        Self::new("whatsapp", id)
    }

    /// An SMS recipient: an E.164 number such as `+15555555555`.
    pub fn sms(id: impl Into<String>) -> Self {
        Self::new("sms", id)
    }

    /// The channel, such as `whatsapp`.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// The id on the channel.
    pub fn id(&self) -> &str {
        &self.id
    }
}
