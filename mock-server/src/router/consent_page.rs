//! The sign-in and consent page of the authorization endpoint: server-rendered HTML that works
//! without JavaScript; every interpolated value is escaped.

use std::fmt::Write;

use crate::registry::ConsentPage;

/// `text` escaped for HTML text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page: who asks, for which account, each scope in words, the representatives who may
/// decide, and the approve and decline buttons of a form posting to the same path.
pub(crate) fn render(page: &ConsentPage) -> String {
    let client = escape(&page.client_name);
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Sign in and consent: {client}</title>\n\
         <style>body{{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}}\
         li{{margin:.3rem 0}}button{{font-size:1rem;padding:.4rem 1.2rem;margin-right:1rem}}</style>\n\
         </head>\n<body>\n<h1>Sign in to the Unit and Certificate Registry sandbox</h1>\n\
         <p><strong id=\"client\">{client}</strong> asks for access"
    );
    match &page.account_id {
        Some(account) => {
            let _ = write!(
                html,
                " to account <strong id=\"account\">{}</strong> (a consent of the account holder)",
                escape(account)
            );
        }
        None => html.push_str(" to act for you on your accounts"),
    }
    html.push_str(". It will be able to:</p>\n<ul id=\"scopes\">\n");
    for (name, meaning) in &page.scopes {
        let _ = writeln!(
            html,
            "<li><code>{}</code>: {}</li>",
            escape(name),
            escape(meaning)
        );
    }
    let _ = write!(
        html,
        "</ul>\n<form method=\"post\" action=\"/v1/oauth/authorize\">\n\
         <input type=\"hidden\" name=\"request_id\" value=\"{}\">\n\
         <p><label for=\"representative_id\">Sign in as</label>\n\
         <select id=\"representative_id\" name=\"representative_id\" required>\n",
        escape(&page.request_id)
    );
    for (id, name) in &page.approvers {
        let _ = writeln!(
            html,
            "<option value=\"{}\">{} ({})</option>",
            escape(id),
            escape(name),
            escape(id)
        );
    }
    html.push_str(
        "</select></p>\n<p>\
         <button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Approve</button>\
         <button type=\"submit\" id=\"decline\" name=\"decision\" value=\"decline\">Decline</button>\
         </p>\n</form>\n</body>\n</html>\n",
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_interpolated_is_escaped() {
        let page = ConsentPage {
            request_id: "r\"><script>".into(),
            client_name: "<b>Evil & Co</b>".into(),
            account_id: Some("AU-1000001'".into()),
            scopes: vec![("accounts:read".into(), "Read <all>")],
            approvers: vec![("AR-000001".into(), "Ann \"<x>\"".into())],
        };
        let html = render(&page);
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>Evil"));
        assert!(!html.contains("<all>"));
        assert!(!html.contains("\"<x>\""));
        assert!(html.contains("&lt;b&gt;Evil &amp; Co&lt;/b&gt;"));
        assert!(html.contains("AU-1000001&#39;"));
        assert!(html.contains("id=\"approve\" name=\"decision\" value=\"approve\""));
        assert!(html.contains("id=\"decline\" name=\"decision\" value=\"decline\""));
        assert!(!html.contains("<script"), "the page needs no JavaScript");
    }
}
