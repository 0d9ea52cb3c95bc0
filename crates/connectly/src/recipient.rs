//! Who a session message goes to.

/// A message's recipient: a channel and an id on it.
///
/// The channel is passed through as given, so channels the SDK does not name yet still work.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Recipient {
    channel: String,
    id: String,
    name: Option<String>,
}

impl Recipient {
    /// A recipient on any channel, named as the API names it.
    pub fn new(channel: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            channel: channel.into(),
            id: id.into(),
            name: None,
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

    /// The recipient's name (`recipient.name`), sent with session messages.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The recipient's name, when one was given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Checks the channel, the id and the name before anything is sent.
    pub(crate) fn validate(&self) -> Result<(), crate::ValidationError> {
        crate::validate::name("channel", &self.channel)?;
        crate::validate::recipient_id("recipient id", &self.id)?;
        if let Some(name) = &self.name {
            crate::validate::name("recipient name", name)?;
        }
        Ok(())
    }
}
