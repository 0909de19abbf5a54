//! The smallest program using the SDK: reads one page of a public register (used by
//! `cargo xtask bench` to measure what the SDK costs a user's build).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = std::env::var("UCR_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let client = ucr_sdk::Client::builder(base_url).build()?;
    let page = client.list_accu_projects().limit(5).send().await?;
    for project in &page.items {
        println!("{} {}", project.project_id, project.project_name);
    }
    Ok(())
}
