//! A closed-loop HTTP load generator for the Civitas server, and the ceiling it is compared to.
//!
//! `bench_load --url http://127.0.0.1:8080/graphql --token T --operation list --concurrency 32 --seconds 20`
//! `bench_load --target postgraphile --url http://127.0.0.1:5000/graphql --operation by-code` sends
//! PostGraphile 4's equivalent of `district-list`, `by-code` or `submit` instead, over a copy of
//! the same database (see `scripts/bench_vs_postgraphile.sh`).
//! `bench_load --ceiling --concurrency 32 --seconds 20` starts a bare axum handler (POST, JSON
//! in and out, no database) in this process and loads it the same way: the most this machine
//! can serve through axum.
//!
//! Prints one Markdown table row: operation, requests/s, p50 and p99 latency, errors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use serde_json::{Value, json};

#[derive(Clone, Copy, ValueEnum)]
enum Operation {
    /// `submitTicket` as an operator.
    Submit,
    /// `tickets(first: 50)` with district and department.
    List,
    /// `submitSurveyResponse` as an operator answering for a new resident each time (a phone
    /// number of its own), all 20 questions of `survey_seed`'s survey (`--survey`).
    SurveyAnswer,
    /// `castBallot` as an operator casting for a new resident each time (a phone number of its
    /// own), approving 3 of the 100 projects of `budget_seed`'s voting process (`--process`,
    /// projects from `--first-project`).
    Ballot,
    /// An anonymous mutation that the domain refuses at once (`rateTicket`: `UNAUTHENTICATED`,
    /// no statement): what remains is HTTP, GraphQL and the rate-limit check, whose cost thus
    /// shows plainly. Any other answer, `RATE_LIMITED` included, counts as an error.
    AnonymousMutation,
    /// `tickets(first: 100)` of the first district, with what an Open311 request list carries
    /// (code, status, description, address, times, category and department names).
    ListPublic,
    /// A plain `GET` of `--path` on the server (an Open311 document, a performance page); any
    /// 2xx answer with a body succeeds.
    Get,
    /// `tickets(first: 50)` of the second district with district and department names (its
    /// tickets seeded by `bench_seed` are all dispatched, so each has a department); succeeds
    /// only with 50 tickets, each with its district's name and a department name or none.
    DistrictList,
    /// `ticketByCode` of one of `bench_seed`'s codes (`B-1` to `B-<--codes>`, scattered so that
    /// concurrent requests ask for different tickets); succeeds only with that ticket.
    ByCode,
}

/// Which server's GraphQL schema the operation is written for.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    /// Civitas' schema.
    Civitas,
    /// The schema PostGraphile 4 derives from the same database (`district-list`, `by-code`
    /// and `submit` only): `allTickets`, `ticketByCode`, `createTicket`.
    Postgraphile,
}

#[derive(Parser)]
struct Args {
    /// GraphQL endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8080/graphql")]
    url: String,
    /// Bearer token (an operator's).
    #[arg(long, env = "CIVITAS_TOKEN", default_value = "")]
    token: String,
    /// What to send.
    #[arg(long, value_enum, default_value = "list")]
    operation: Operation,
    /// Whose schema the operation is written for.
    #[arg(long, value_enum, default_value = "civitas")]
    target: Target,
    /// How many tickets `bench_seed` seeded: `--operation by-code` asks for codes `B-1` to `B-<codes>`.
    #[arg(long, default_value_t = 1_000_000)]
    codes: u64,
    /// Requests in flight.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Duration of the measurement, after a 2-second warm-up.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Load a bare axum handler started in this process instead of `--url`.
    #[arg(long)]
    ceiling: bool,
    /// Label for the output row.
    #[arg(long, default_value = "")]
    label: String,
    /// The survey `--operation survey-answer` answers (seeded by `survey_seed`).
    #[arg(long, default_value = "srv_1")]
    survey: String,
    /// The process `--operation ballot` votes in (seeded by `budget_seed`).
    #[arg(long, default_value = "pbp_2")]
    process: String,
    /// The number of the first of its 100 projects (`prj_101`: 101).
    #[arg(long, default_value_t = 101)]
    first_project: u64,
    /// The path `--operation get` reads, on the server of `--url`
    /// (e.g. `/open311/v2/requests.json?jurisdiction_id=harbour&page_size=1000`).
    #[arg(long, default_value = "/")]
    path: String,
}

/// What an operation needs besides its sequence number.
struct Targets {
    survey: String,
    process: String,
    first_project: u64,
    codes: u64,
    /// Makes PostGraphile's ticket codes unique across runs (the start, in Unix milliseconds).
    run: i64,
}

impl Targets {
    /// The seeded code the `sequence`-th request asks for: a multiplicative hash spreads
    /// consecutive requests (and workers) over all of `B-1` to `B-<codes>`.
    fn code(&self, sequence: u64) -> String {
        format!("B-{}", 1 + sequence.wrapping_mul(2_654_435_761) % self.codes.max(1))
    }

    /// The code PostGraphile's `createTicket` inserts (Civitas assigns its own).
    fn new_code(&self, sequence: u64) -> String {
        format!("P-{}-{sequence}", self.run)
    }
}

/// PostGraphile's equivalent of `operation` (`bigint` columns are `BigInt` strings there).
fn postgraphile_body(operation: Operation, sequence: u64, targets: &Targets) -> Value {
    match operation {
        Operation::DistrictList => json!({
            "query": "{ allTickets(first: 50, orderBy: ID_DESC, condition: { districtId: \"2\" }) { nodes { code status \
                      districtByDistrictId { nameEn } departmentByDepartmentId { nameEn } } } }"
        }),
        Operation::ByCode => json!({
            "query": "query($c: String!) { ticketByCode(code: $c) { id code status title description } }",
            "variables": { "c": targets.code(sequence) }
        }),
        Operation::Submit => json!({
            "query": "mutation($t: TicketInput!) { createTicket(input: { ticket: $t }) { ticket { id code } } }",
            "variables": { "t": {
                "code": targets.new_code(sequence), "channel": "PHONE",
                "districtId": (1 + sequence % 3).to_string(),
                "categoryId": ((sequence % 3) * 10 + 1 + sequence % 10).to_string(),
                "title": "Load test", "description": "Generated by bench_load", "priority": "NORMAL",
                "status": "RECEIVED", "contactPhone": "13800000000",
                "respondByMs": (targets.run + 3_600_000).to_string(),
                "resolveByMs": (targets.run + 86_400_000).to_string(),
                "createdAtMs": targets.run.to_string(), "updatedAtMs": targets.run.to_string()
            }}
        }),
        _ => Value::Null,
    }
}

/// A name, or nothing for a ticket without a department (indexing `null` gives `null`).
fn named_or_null(name: &Value) -> bool {
    name.is_string() || name.is_null()
}

/// Whether a GraphQL answer (without `errors`) carries what the operation asked for; for the
/// other operations the absence of `errors` suffices.
fn answered(operation: Operation, target: Target, sequence: u64, targets: &Targets, data: &Value) -> bool {
    let postgraphile = target == Target::Postgraphile;
    match operation {
        Operation::DistrictList if postgraphile => data["allTickets"]["nodes"].as_array().is_some_and(|nodes| {
            nodes.len() == 50
                && nodes.iter().all(|node| {
                    node["districtByDistrictId"]["nameEn"].is_string()
                        && named_or_null(&node["departmentByDepartmentId"]["nameEn"])
                })
        }),
        Operation::DistrictList => data["tickets"]["edges"].as_array().is_some_and(|edges| {
            edges.len() == 50
                && edges.iter().all(|edge| {
                    edge["node"]["district"]["name"].is_string() && named_or_null(&edge["node"]["department"]["name"])
                })
        }),
        Operation::ByCode => data["ticketByCode"]["code"].as_str() == Some(targets.code(sequence).as_str()),
        Operation::Submit if postgraphile => {
            data["createTicket"]["ticket"]["code"].as_str() == Some(targets.new_code(sequence).as_str())
        }
        Operation::Submit => data["submitTicket"]["id"].is_string() && data["submitTicket"]["code"].is_string(),
        _ => true,
    }
}

fn body(operation: Operation, target: Target, sequence: u64, targets: &Targets) -> Value {
    if target == Target::Postgraphile {
        return postgraphile_body(operation, sequence, targets);
    }
    let survey = &targets.survey;
    match operation {
        Operation::Ballot => {
            let first = sequence % 100;
            let approvals: Vec<String> = [first, (first + 37) % 100, (first + 71) % 100]
                .iter()
                .map(|offset| format!("prj_{}", targets.first_project + offset))
                .collect();
            json!({
                "query": "mutation($p: ID!, $a: [ID!]!, $phone: String!) { castBallot(processId: $p, channel: PHONE, \
                          ballot: { approvals: $a }, onBehalfOf: { phone: $phone, channel: PHONE }) { receipt status } }",
                "variables": { "p": targets.process, "a": approvals, "phone": format!("+86 137{:08}", sequence % 100_000_000) }
            })
        }
        Operation::SurveyAnswer => json!({
            "query": "mutation($s: ID!, $a: [SurveyAnswerInput!]!, $p: String!) { submitSurveyResponse(surveyId: $s, \
                      answers: $a, onBehalfOf: { phone: $p, channel: PHONE }) { id } }",
            "variables": { "s": survey, "p": format!("+86 139{:08}", sequence % 100_000_000), "a": [
                { "question": "q01", "choices": ["a"] },
                { "question": "q02", "choices": ["a", "c"], "other": "more bike lanes" },
                { "question": "q03", "number": 4 },
                { "question": "q04", "number": 9 },
                { "question": "q05", "number": 120.5 },
                { "question": "q06", "text": "More shade in the park" },
                { "question": "q07", "date": "2027-01-15" },
                { "question": "q08", "ranking": ["c", "a", "e"] },
                { "question": "q09", "matrix": [{ "row": "r1", "value": 5 }, { "row": "r2", "value": 3 }] },
                { "question": "q10", "choices": ["yes"] },
                { "question": "q11", "text": "Because the bus stop moved" },
                { "question": "q12", "number": 7 },
                { "question": "q13", "choices": ["b", "h"] },
                { "question": "q14", "number": 8 },
                { "question": "q15", "number": 42 },
                { "question": "q16", "choices": ["d"] },
                { "question": "q17", "date": "2027-06-01" },
                { "question": "q18", "ranking": ["a", "b", "c", "d"] },
                { "question": "q19", "matrix": [{ "row": "r1", "value": 2 }, { "row": "r3", "value": 3 }] },
                { "question": "q20", "text": "Thank you" }
            ]}
        }),
        Operation::AnonymousMutation => json!({
            "query": "mutation { rateTicket(id: \"tkt_999999999\", score: 5) { id } }"
        }),
        Operation::Submit => json!({
            "query": "mutation($i: SubmitTicketInput!) { submitTicket(input: $i) { id code } }",
            "variables": { "i": {
                "districtId": format!("dst_{}", 1 + sequence % 3),
                "categoryId": format!("cat_{}", (sequence % 3) * 10 + 1 + sequence % 10),
                "title": "Load test", "description": "Generated by bench_load", "channel": "PHONE",
                "contact": { "phone": "13800000000" }
            }}
        }),
        Operation::List => json!({
            "query": "{ tickets(first: 50) { edges { node { code status district { name } department { name } } } } }"
        }),
        Operation::ListPublic => json!({
            "query": "{ tickets(first: 100, filter: { districtId: \"dst_1\" }) { edges { node { code status description \
                      address createdAt updatedAt resolveBy category { name } department { name } } } } }"
        }),
        Operation::DistrictList => json!({
            "query": "{ tickets(first: 50, filter: { districtId: \"dst_2\" }) { edges { node { code status \
                      district { name } department { name } } } } }"
        }),
        Operation::ByCode => json!({
            "query": "query($c: String!) { ticketByCode(code: $c) { id code status title description } }",
            "variables": { "c": targets.code(sequence) }
        }),
        Operation::Get => Value::Null,
    }
}

async fn start_ceiling() -> anyhow::Result<String> {
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(|axum::Json(request): axum::Json<Value>| async move {
            axum::Json(json!({ "data": { "echo": request.get("query").is_some() } }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.target == Target::Postgraphile
        && !args.ceiling
        && !matches!(args.operation, Operation::DistrictList | Operation::ByCode | Operation::Submit)
    {
        anyhow::bail!("--target postgraphile supports --operation district-list, by-code and submit only");
    }
    let url = if args.ceiling {
        start_ceiling().await?
    } else if matches!(args.operation, Operation::Get) {
        format!("{}{}", args.url.trim_end_matches("/graphql"), args.path)
    } else {
        args.url.clone()
    };
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?;
    let warm_up_until = Instant::now() + Duration::from_secs(2);
    let stop_at = warm_up_until + Duration::from_secs(args.seconds);
    let targets = Targets {
        survey: args.survey.clone(),
        process: args.process.clone(),
        first_project: args.first_project,
        codes: args.codes,
        run: chrono::Utc::now().timestamp_millis(),
    };
    let shared = Arc::new((client, url, args.token.clone(), targets));
    let mut workers = Vec::new();
    for worker in 0..args.concurrency {
        let shared = shared.clone();
        let operation = args.operation;
        let target = args.target;
        workers.push(tokio::spawn(async move {
            let (client, url, token, targets) = &*shared;
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut sequence = worker as u64 * 1_000_000;
            loop {
                let started = Instant::now();
                if started >= stop_at {
                    break;
                }
                sequence += 1;
                let mut request = match operation {
                    Operation::Get => client.get(url),
                    _ => client.post(url).json(&body(operation, target, sequence, targets)),
                };
                if !token.is_empty() {
                    request = request.bearer_auth(token);
                }
                let ok = match request.send().await {
                    Ok(response) if matches!(operation, Operation::Get) => {
                        response.status().is_success() && response.bytes().await.is_ok_and(|body| !body.is_empty())
                    }
                    Ok(response) => {
                        let status = response.status();
                        let value: Value = response.json().await.unwrap_or(Value::Null);
                        let code = value["errors"][0]["extensions"]["code"].as_str();
                        let expected = match operation {
                            Operation::AnonymousMutation => code == Some("UNAUTHENTICATED"),
                            _ => {
                                value.get("errors").is_none()
                                    && answered(operation, target, sequence, targets, &value["data"])
                            }
                        };
                        status.is_success() && expected && !value.is_null()
                    }
                    Err(_) => false,
                };
                if started >= warm_up_until {
                    latencies.push(started.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (mut worker_latencies, worker_errors) = worker.await?;
        latencies.append(&mut worker_latencies);
        errors += worker_errors;
    }
    latencies.sort();
    let percentile =
        |p: f64| latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1))).copied();
    let millis = |d: Option<Duration>| d.map_or("n/a".into(), |d| format!("{:.2} ms", d.as_secs_f64() * 1000.0));
    let operation = if args.ceiling {
        "bare axum handler".to_owned()
    } else if args.target == Target::Postgraphile {
        match args.operation {
            Operation::DistrictList => "allTickets(first: 50) of a district".to_owned(),
            Operation::ByCode => "ticketByCode".to_owned(),
            _ => "createTicket".to_owned(),
        }
    } else {
        match args.operation {
            Operation::Submit => "submitTicket".to_owned(),
            Operation::List => "tickets(first: 50)".to_owned(),
            Operation::SurveyAnswer => "submitSurveyResponse".to_owned(),
            Operation::Ballot => "castBallot".to_owned(),
            Operation::AnonymousMutation => "anonymous rateTicket (refused)".to_owned(),
            Operation::ListPublic => "tickets(first: 100) of a district".to_owned(),
            Operation::Get => format!("GET {}", args.path),
            Operation::DistrictList => "tickets(first: 50) of a district".to_owned(),
            Operation::ByCode => "ticketByCode".to_owned(),
        }
    };
    println!(
        "| {} | {} | {} | {:.0} | {} | {} | {} |",
        args.label,
        operation,
        args.concurrency,
        latencies.len() as f64 / args.seconds as f64,
        millis(percentile(0.50)),
        millis(percentile(0.99)),
        errors
    );
    Ok(())
}
