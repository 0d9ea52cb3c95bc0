//! The templates a mock serves on `POST /get/templates` unless told otherwise.

use serde_json::{json, Value};

/// The `templateGroups` a mock serves unless given others: four groups in the newest
/// reference's shape, with one template of each status, a rejection reason in each of the
/// two places the provider's pages put it, and a group in two languages.
///
/// | group | language | status | rejection reason |
/// |---|---|---|---|
/// | `order_update` (UTILITY) | `en_US` | `MESSAGE_TEMPLATE_STATUS_APPROVED` | |
/// | `order_update` | `pt_BR` | `MESSAGE_TEMPLATE_STATUS_PENDING` | |
/// | `summer_sale` (MARKETING) | `en` | `MESSAGE_TEMPLATE_STATUS_REJECTED` | `rejectionReason`: `PROMOTIONAL` |
/// | `account_alert` (UTILITY) | `en` | `MESSAGE_TEMPLATE_STATUS_REJECTED` | only `externalTemplate.whatsapp.rejectedReason`: `INVALID_FORMAT` |
/// | `welcome` (MARKETING) | `en` | `MESSAGE_TEMPLATE_STATUS_APPROVED` | |
pub fn default_templates() -> Value {
    let body = |text: &str| json!({"body": {"text": {"text": text}}});
    json!([
        {
            "id": "tg_order_update",
            "name": "order_update",
            "category": "UTILITY",
            "templates": [
                {
                    "id": "tpl_order_update_en_US",
                    "language": {"code": "en_US"},
                    "status": "MESSAGE_TEMPLATE_STATUS_APPROVED",
                    "createdAt": "2024-03-01T10:00:00Z",
                    "updatedAt": "2024-03-02T09:30:00Z",
                    "templateComponents": [
                        {"header": {"text": {"text": "Order {{1}}"}}},
                        body("Hi {{1}}, your order {{2}} is on its way."),
                        {"footer": {"text": {"text": "Reply STOP to opt out"}}}
                    ]
                },
                {
                    "id": "tpl_order_update_pt_BR",
                    "language": {"code": "pt_BR"},
                    "status": "MESSAGE_TEMPLATE_STATUS_PENDING",
                    "createdAt": "2024-03-05T12:00:00Z",
                    "updatedAt": "2024-03-05T12:00:00Z",
                    "templateComponents": [body("Olá {{1}}, seu pedido {{2}} está a caminho.")]
                }
            ]
        },
        {
            "id": "tg_summer_sale",
            "name": "summer_sale",
            "category": "MARKETING",
            "templates": [
                {
                    "id": "tpl_summer_sale_en",
                    "language": {"code": "en"},
                    "status": "MESSAGE_TEMPLATE_STATUS_REJECTED",
                    "createdAt": "2024-05-10T08:00:00Z",
                    "updatedAt": "2024-05-11T08:00:00Z",
                    "rejectionReason": "PROMOTIONAL",
                    "templateComponents": [body("50% off everything, today only!")]
                }
            ]
        },
        {
            "id": "tg_account_alert",
            "name": "account_alert",
            "category": "UTILITY",
            "templates": [
                {
                    "id": "tpl_account_alert_en",
                    "language": {"code": "en"},
                    "status": "MESSAGE_TEMPLATE_STATUS_REJECTED",
                    "createdAt": "2024-06-01T15:00:00Z",
                    "updatedAt": "2024-06-02T15:00:00Z",
                    "externalTemplate": {"whatsapp": {"rejectedReason": "INVALID_FORMAT"}},
                    "templateComponents": [body("Your code is {{1}}")]
                }
            ]
        },
        {
            "id": "tg_welcome",
            "name": "welcome",
            "category": "MARKETING",
            "templates": [
                {
                    "id": "tpl_welcome_en",
                    "language": {"code": "en"},
                    "status": "MESSAGE_TEMPLATE_STATUS_APPROVED",
                    "createdAt": "2024-01-15T09:00:00Z",
                    "updatedAt": "2024-01-15T09:00:00Z",
                    "templateComponents": [
                        body("Welcome, {{1}}!"),
                        {"buttons": {"buttons": [{"quickReply": {"text": "Hi"}}]}}
                    ]
                }
            ]
        }
    ])
}
