//! Seeds a database with the demo directory, one open 20-question survey and N synthetic
//! responses to it, for the survey-results benchmarks (issue 16).
//!
//! `cargo run --release -p civitas-examples --bin survey_seed -- --database-url URL --responses 1000000`
//!
//! The survey is created and opened through the service API (`surveys::create`, `surveys::open`)
//! as a city admin: district 1, audience `EVERYONE`, `ANONYMOUS`, results `LIVE`, every question
//! type. The responses are inserted with set-based SQL (a recursive CTE that both SQLite and
//! PostgreSQL run), not through `surveys::submit`, so that a million responses take minutes, not
//! hours; the statements are therefore tied to the current schema. Each question has a fixed list
//! of variants (answered, shown but skipped, or hidden by its condition) and response `n` takes
//! variant `n % k` of each; every variant's answer is checked by `surveys::check_answers`, and the
//! answer rows (`survey_answers`) are derived from it the way `surveys::submit` writes them: one
//! row per chosen option, one for a number/text/date, one per ranked option with its place, one per
//! matrix row, one for an "other" text, and a `skipped` row for a shown question left unanswered.
//! The `answers` column holds the same answers as serde writes them (the export reads it). The
//! results' tallies are then counted from the answer rows (`surveys::recount_tallies`), as
//! `submit` would have kept them. Not seeded: the outbox event `submit` appends per response.
//! Run it on an empty database.

use std::time::Instant;

use chrono::NaiveDate;
use civitas_core::auth::Caller;
use civitas_core::i18n::LocalizedText;
use civitas_core::ids::DistrictId;
use civitas_core::surveys::{
    self, Anonymity, Answer, Audience, Choice, Comparison, Condition, ConditionOp, Question, QuestionKind,
    ResultsVisibility, SurveyDraft,
};
use civitas_core::{Context, db, demo};
use clap::Parser;
use sea_orm::ConnectionTrait;

#[derive(Parser)]
struct Args {
    /// `sqlite://…?mode=rwc` or `postgres://…`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// How many responses to create.
    #[arg(long, default_value_t = 1_000_000)]
    responses: u64,
    /// Responses inserted per statement.
    #[arg(long, default_value_t = 50_000)]
    chunk: u64,
}

/// What response `n` does with a question: variant `n % k` of its list.
enum Variant {
    /// Not shown (its condition does not hold): no answer row.
    Hidden,
    /// Shown, left unanswered: one `skipped` row.
    Skipped,
    /// Answered.
    Answered(Answer),
}

struct Spec {
    question: Question,
    variants: Vec<Variant>,
}

/// One row of `survey_answers`, without the columns every row of a response shares.
#[derive(Clone)]
struct Row {
    option_key: Option<String>,
    number: Option<f64>,
    text: Option<String>,
    date: Option<String>,
    rank: Option<i32>,
    row_key: Option<String>,
    skipped: bool,
}

const TEMPLATES: &str = "bench_survey_answer_templates";

fn text(en: &str) -> LocalizedText {
    LocalizedText::new(en, en, en)
}

fn choices(keys: &[&str]) -> Vec<Choice> {
    keys.iter().map(|key| Choice { key: (*key).into(), text: text(&format!("Option {key}")) }).collect()
}

fn question(key: &str, kind: QuestionKind) -> Question {
    Question { key: key.into(), text: text(&format!("Question {key}")), required: false, kind, condition: None }
}

fn answer(key: &str) -> Answer {
    Answer { question: key.into(), ..Answer::default() }
}

fn choose(key: &str, options: &[&str]) -> Variant {
    Variant::Answered(Answer { choices: options.iter().map(|option| (*option).into()).collect(), ..answer(key) })
}

fn number(key: &str, value: f64) -> Variant {
    Variant::Answered(Answer { number: Some(value), ..answer(key) })
}

fn written(key: &str, value: &str) -> Variant {
    Variant::Answered(Answer { text: Some(value.into()), ..answer(key) })
}

fn day(key: &str, value: NaiveDate) -> Variant {
    Variant::Answered(Answer { date: Some(value), ..answer(key) })
}

fn ranked(key: &str, options: &[&str]) -> Variant {
    Variant::Answered(Answer { ranking: options.iter().map(|option| (*option).into()).collect(), ..answer(key) })
}

fn rated(key: &str, rows: &[(&str, i64)]) -> Variant {
    Variant::Answered(Answer {
        matrix: rows.iter().map(|(row, value)| ((*row).into(), *value)).collect(),
        ..answer(key)
    })
}

fn date(days: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default() + chrono::Days::new(days)
}

/// The 20 questions and their variants. Moduli differ so that responses combine variants.
#[allow(clippy::too_many_lines, clippy::cast_precision_loss)]
fn specs() -> Vec<Spec> {
    let mut specs = Vec::new();
    let mut add = |question: Question, variants: Vec<Variant>| specs.push(Spec { question, variants });

    let single = QuestionKind::SingleChoice { options: choices(&["a", "b", "c", "d"]), allow_other: false };
    add(
        Question { required: true, ..question("q01", single) },
        [0, 0, 0, 0, 1, 1, 1, 2, 2, 3].iter().map(|&i| choose("q01", &[["a", "b", "c", "d"][i]])).collect(),
    );
    let multiple = QuestionKind::MultipleChoice {
        options: choices(&["a", "b", "c", "d", "e"]),
        min_choices: 0,
        max_choices: None,
        allow_other: true,
    };
    add(
        question("q02", multiple),
        vec![
            choose("q02", &["a"]),
            choose("q02", &["a", "b"]),
            choose("q02", &["b", "c", "d"]),
            choose("q02", &["e"]),
            choose("q02", &["a", "c", "e"]),
            Variant::Answered(Answer {
                choices: vec!["b".into()],
                other: Some("more bike lanes".into()),
                ..answer("q02")
            }),
            Variant::Skipped,
        ],
    );
    add(
        question("q03", QuestionKind::Rating { scale: 5 }),
        (0..11).map(|v| if v == 10 { Variant::Skipped } else { number("q03", f64::from(1 + v * v % 5)) }).collect(),
    );
    add(
        question("q04", QuestionKind::Nps),
        (0..13)
            .map(|v| match v {
                12 => Variant::Skipped,
                11 => number("q04", 9.0),
                _ => number("q04", f64::from(v)),
            })
            .collect(),
    );
    add(
        question("q05", QuestionKind::Number { min: Some(0.0), max: Some(1000.0), decimals: 1 }),
        (0..200).map(|v| if v == 199 { Variant::Skipped } else { number("q05", f64::from(v) * 2.5) }).collect(),
    );
    let texts = ["More shade in the park", "Fix the street lights", "更多树荫", "Quieter nights, please", "No"];
    add(
        question("q06", QuestionKind::Text { multiline: false, max_length: 200 }),
        (0..8).map(|v| if v < 5 { written("q06", texts[v]) } else { Variant::Skipped }).collect(),
    );
    add(
        question("q07", QuestionKind::Date),
        (0..31).map(|v| if v == 30 { Variant::Skipped } else { day("q07", date(v)) }).collect(),
    );
    let ranking5 = QuestionKind::Ranking { options: choices(&["a", "b", "c", "d", "e"]), rank_top: 3 };
    add(
        question("q08", ranking5),
        vec![
            ranked("q08", &["a", "b", "c"]),
            ranked("q08", &["c", "a", "e"]),
            ranked("q08", &["b", "d", "a"]),
            ranked("q08", &["e", "c"]),
            ranked("q08", &["d"]),
            Variant::Skipped,
        ],
    );
    add(
        question("q09", QuestionKind::Matrix { rows: choices(&["r1", "r2", "r3", "r4"]), scale: 5 }),
        vec![
            rated("q09", &[("r1", 5), ("r2", 4), ("r3", 3), ("r4", 2)]),
            rated("q09", &[("r1", 4), ("r2", 4), ("r3", 4), ("r4", 4)]),
            rated("q09", &[("r1", 1), ("r2", 2), ("r3", 5), ("r4", 5)]),
            rated("q09", &[("r1", 3), ("r3", 2)]),
            rated("q09", &[("r2", 5)]),
            rated("q09", &[("r1", 2), ("r2", 3), ("r3", 1), ("r4", 4)]),
            rated("q09", &[("r1", 5), ("r2", 5), ("r3", 5), ("r4", 5)]),
            rated("q09", &[("r4", 1)]),
            Variant::Skipped,
        ],
    );
    add(
        question("q10", QuestionKind::SingleChoice { options: choices(&["yes", "no"]), allow_other: false }),
        vec![choose("q10", &["yes"]), choose("q10", &["no"]), choose("q10", &["no"])],
    );
    // Shown only to those who answered `yes` to q10 (n % 3 = 0, so n % 6 is 0 or 3).
    let follow_up = Question {
        condition: Some(Condition::Compare(Comparison {
            question: "q10".into(),
            op: ConditionOp::Equals,
            value: Some("yes".into()),
            values: vec![],
        })),
        ..question("q11", QuestionKind::Text { multiline: false, max_length: 500 })
    };
    add(
        follow_up,
        (0..6)
            .map(|v| match v {
                0 => written("q11", "Because the bus stop moved"),
                3 => Variant::Skipped,
                _ => Variant::Hidden,
            })
            .collect(),
    );
    add(
        question("q12", QuestionKind::Rating { scale: 10 }),
        (0..17).map(|v| if v == 16 { Variant::Skipped } else { number("q12", f64::from(1 + v * 7 % 10)) }).collect(),
    );
    let options8 = ["a", "b", "c", "d", "e", "f", "g", "h"];
    let multiple8 = QuestionKind::MultipleChoice {
        options: choices(&options8),
        min_choices: 1,
        max_choices: Some(3),
        allow_other: false,
    };
    add(
        question("q13", multiple8),
        vec![
            choose("q13", &["a"]),
            choose("q13", &["b", "h"]),
            choose("q13", &["c", "d", "e"]),
            choose("q13", &["f"]),
            choose("q13", &["g", "a"]),
            choose("q13", &["h", "b", "c"]),
            choose("q13", &["d"]),
            choose("q13", &["e", "f", "g"]),
            Variant::Skipped,
        ],
    );
    add(question("q14", QuestionKind::Nps), (0..11).map(|v| number("q14", f64::from(10 - v * 3 % 11))).collect());
    add(
        question("q15", QuestionKind::Number { min: Some(16.0), max: Some(100.0), decimals: 0 }),
        (0..85).map(|v| if v == 84 { Variant::Skipped } else { number("q15", f64::from(16 + v)) }).collect(),
    );
    let single6 = QuestionKind::SingleChoice { options: choices(&["a", "b", "c", "d", "e", "f"]), allow_other: true };
    add(
        question("q16", single6),
        (0..7)
            .map(|v| match v {
                6 => Variant::Answered(Answer { other: Some("somewhere else".into()), ..answer("q16") }),
                _ => choose("q16", &[["a", "b", "c", "d", "e", "f"][v]]),
            })
            .collect(),
    );
    add(
        question("q17", QuestionKind::Date),
        (0..12).map(|v| if v == 11 { Variant::Skipped } else { day("q17", date(30 * v)) }).collect(),
    );
    add(
        question("q18", QuestionKind::Ranking { options: choices(&["a", "b", "c", "d"]), rank_top: 4 }),
        vec![
            ranked("q18", &["a", "b", "c", "d"]),
            ranked("q18", &["d", "c", "b", "a"]),
            ranked("q18", &["b", "a", "d", "c"]),
            ranked("q18", &["c", "d"]),
            Variant::Skipped,
        ],
    );
    add(
        question("q19", QuestionKind::Matrix { rows: choices(&["r1", "r2", "r3"]), scale: 3 }),
        (0..7)
            .map(|v: i64| {
                if v == 6 { Variant::Skipped } else { rated("q19", &[("r1", 1 + v % 3), ("r2", 1 + v / 2), ("r3", 3)]) }
            })
            .collect(),
    );
    let long = "The square needs more benches, shade in summer and better lighting at night; \
                the playground is often closed and the bins overflow on weekends.";
    add(
        question("q20", QuestionKind::Text { multiline: true, max_length: 2000 }),
        vec![written("q20", long), written("q20", "Thank you"), Variant::Skipped, Variant::Skipped, Variant::Skipped],
    );
    specs
}

/// The answer rows of one answer, as `surveys::submit` writes them.
fn rows(variant: &Variant) -> Vec<Row> {
    let empty =
        Row { option_key: None, number: None, text: None, date: None, rank: None, row_key: None, skipped: false };
    let given = match variant {
        Variant::Hidden => return Vec::new(),
        Variant::Skipped => return vec![Row { skipped: true, ..empty }],
        Variant::Answered(given) => given,
    };
    let date = given.date.map(|date| date.format("%Y-%m-%d").to_string());
    let base = || Row { date: date.clone(), ..empty.clone() };
    let mut rows = Vec::new();
    for choice in &given.choices {
        rows.push(Row { option_key: Some(choice.clone()), ..base() });
    }
    if let Some(other) = &given.other {
        rows.push(Row { text: Some(other.clone()), ..base() });
    }
    if given.number.is_some() || given.text.is_some() || given.date.is_some() {
        rows.push(Row { number: given.number, text: given.text.clone(), ..base() });
    }
    for (place, option) in given.ranking.iter().enumerate() {
        rows.push(Row { option_key: Some(option.clone()), rank: i32::try_from(place + 1).ok(), ..base() });
    }
    for (row_key, value) in &given.matrix {
        #[allow(clippy::cast_precision_loss)]
        rows.push(Row { number: Some(*value as f64), row_key: Some(row_key.clone()), ..base() });
    }
    rows
}

fn variant_of(spec: &Spec, n: u64) -> &Variant {
    #[allow(clippy::cast_possible_truncation)]
    &spec.variants[(n % spec.variants.len() as u64) as usize]
}

/// Checks the answers of responses `1..=count` against the definition: each accepted by
/// `check_answers`, and the questions shown (answered or skipped) exactly those the display
/// conditions show.
fn check(questions: &[Question], specs: &[Spec], count: u64) -> anyhow::Result<()> {
    for n in 1..=count {
        let answers: Vec<Answer> = specs
            .iter()
            .filter_map(|spec| match variant_of(spec, n) {
                Variant::Answered(given) => Some(given.clone()),
                _ => None,
            })
            .collect();
        if let Err(problems) = surveys::check_answers(questions, &answers) {
            anyhow::bail!("response {n} would be refused: {problems:?}");
        }
        let visible: Vec<&str> =
            surveys::visible_questions(questions, &answers).into_iter().map(|question| question.key.as_str()).collect();
        let shown: Vec<&str> = specs
            .iter()
            .filter(|spec| !matches!(variant_of(spec, n), Variant::Hidden))
            .map(|spec| spec.question.key.as_str())
            .collect();
        anyhow::ensure!(visible == shown, "response {n}: shown {shown:?}, the conditions show {visible:?}");
    }
    Ok(())
}

fn literal(value: Option<&str>) -> String {
    value.map_or_else(|| "NULL".to_owned(), |value| format!("'{}'", value.replace('\'', "''")))
}

fn float(value: Option<f64>) -> String {
    value.map_or_else(|| "NULL".to_owned(), |value| format!("{value:?}"))
}

/// `'[' || …one `,{answer}` per answered question… ` || ']'` for response `seq.n`.
fn answers_json(specs: &[Spec]) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    for spec in specs {
        let mut case = format!("CASE seq.n % {} ", spec.variants.len());
        for (v, variant) in spec.variants.iter().enumerate() {
            if let Variant::Answered(given) = variant {
                let json = format!(",{}", serde_json::to_string(given)?);
                case.push_str(&format!("WHEN {v} THEN {} ", literal(Some(&json))));
            }
        }
        case.push_str("ELSE '' END");
        parts.push(case);
    }
    Ok(format!("'[' || SUBSTR({}, 2) || ']'", parts.join(" || ")))
}

fn seq(from: u64, to: u64) -> String {
    format!("WITH RECURSIVE seq(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM seq WHERE n < {to}) ")
}

// What every row of response `seq.n` shares. A third come through the app, the rest the web;
// three in four from signed-in residents of districts 1-3, the others without a token.
const RESPONSE_ID: &str = "seq.n * 2654435761";
const CHANNEL: &str = "CASE WHEN seq.n % 3 = 0 THEN 'APP' ELSE 'WEB' END";
const DISTRICT: &str = "CASE WHEN seq.n % 4 = 0 THEN NULL ELSE 1 + seq.n % 3 END";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.chunk > 0, "--chunk must be positive");
    let connection = db::connect(&args.database_url).await?;
    db::migrate(&connection).await?;
    let ctx = Context::new(connection);
    if demo::seed_directory(&ctx).await?.is_none() {
        anyhow::bail!("the database is not empty");
    }
    let started = Instant::now();
    let specs = specs();
    let questions: Vec<Question> = specs.iter().map(|spec| spec.question.clone()).collect();
    let longest = specs.iter().map(|spec| spec.variants.len() as u64).product::<u64>().min(20_000);
    check(&questions, &specs, longest)?;

    let admin = Caller::city_admin("bench");
    let draft = SurveyDraft {
        title: Some(text("Neighbourhood survey (benchmark)")),
        audience: Some(Audience::Everyone),
        anonymity: Some(Anonymity::Anonymous),
        results_visibility: Some(ResultsVisibility::Live),
        questions: Some(questions),
        ..SurveyDraft::default()
    };
    let survey = surveys::create(&ctx, &admin, Some(DistrictId(1)), draft).await?;
    let survey = surveys::open(&ctx, &admin, survey.id).await?;
    let id = survey.id.0;

    // Every answer row of every variant, joined to the responses by `n % k`.
    ctx.db
        .execute_unprepared(&format!(
            "CREATE TABLE {TEMPLATES} (question VARCHAR(64) NOT NULL, v INTEGER NOT NULL, option_key VARCHAR(64), \
             number DOUBLE PRECISION, text TEXT, date VARCHAR(10), rank INTEGER, row_key VARCHAR(64), \
             skipped BOOLEAN NOT NULL)"
        ))
        .await?;
    let mut values = Vec::new();
    for spec in &specs {
        for (v, variant) in spec.variants.iter().enumerate() {
            for row in rows(variant) {
                values.push(format!(
                    "('{}', {v}, {}, {}, {}, {}, {}, {}, {})",
                    spec.question.key,
                    literal(row.option_key.as_deref()),
                    float(row.number),
                    literal(row.text.as_deref()),
                    literal(row.date.as_deref()),
                    row.rank.map_or_else(|| "NULL".to_owned(), |rank| rank.to_string()),
                    literal(row.row_key.as_deref()),
                    if row.skipped { "TRUE" } else { "FALSE" },
                ));
            }
        }
    }
    ctx.db.execute_unprepared(&format!("INSERT INTO {TEMPLATES} VALUES {}", values.join(", "))).await?;
    ctx.db.execute_unprepared(&format!("CREATE INDEX {TEMPLATES}_v ON {TEMPLATES} (question, v)")).await?;

    let json = answers_json(&specs)?;
    let mut from = 1;
    while from <= args.responses {
        let to = (from + args.chunk - 1).min(args.responses);
        let seq = seq(from, to);
        ctx.db
            .execute_unprepared(&format!(
                "{seq}INSERT INTO survey_responses (id, survey_id, channel, submitted_on, submitted_at_ms, \
                   respondent_subject, respondent_district_id, authenticated, answers) \
                 SELECT {RESPONSE_ID}, {id}, {CHANNEL}, '2026-11-' || (10 + seq.n % 20), NULL, NULL, {DISTRICT}, \
                   seq.n % 4 <> 0, {json} \
                 FROM seq"
            ))
            .await?;
        ctx.db
            .execute_unprepared(&format!(
                "{seq}INSERT INTO survey_participations (survey_id, participant_key, response_ref) \
                 SELECT {id}, 'bench-participant-' || seq.n, seq.n FROM seq WHERE seq.n % 4 <> 0"
            ))
            .await?;
        for spec in &specs {
            ctx.db
                .execute_unprepared(&format!(
                    "{seq}INSERT INTO survey_answers (response_id, survey_id, question_key, option_key, number, text, \
                       date, rank, row_key, skipped, channel, district_id) \
                     SELECT {RESPONSE_ID}, {id}, t.question, t.option_key, t.number, t.text, t.date, t.rank, \
                       t.row_key, t.skipped, {CHANNEL}, {DISTRICT} \
                     FROM seq JOIN {TEMPLATES} t ON t.question = '{key}' AND t.v = seq.n % {k}",
                    key = spec.question.key,
                    k = spec.variants.len(),
                ))
                .await?;
        }
        eprintln!("{to} / {} responses, {:.1} s", args.responses, started.elapsed().as_secs_f64());
        from = to + 1;
    }
    ctx.db.execute_unprepared(&format!("DROP TABLE {TEMPLATES}")).await?;
    eprintln!("counting the tallies, {:.1} s", started.elapsed().as_secs_f64());
    surveys::recount_tallies(&ctx, &admin, survey.id).await?;
    if ctx.db.get_database_backend() == sea_orm::DbBackend::Postgres {
        ctx.db.execute_unprepared("ANALYZE").await?;
    }
    let answer_rows: u64 = specs
        .iter()
        .map(|spec| {
            let k = spec.variants.len() as u64;
            let per_variant: Vec<u64> = spec.variants.iter().map(|variant| rows(variant).len() as u64).collect();
            // Responses 1..=N take variant n % k: N / k of each, plus one each for 1..=N % k.
            let whole: u64 = per_variant.iter().sum::<u64>() * (args.responses / k);
            whole + (1..=args.responses % k).map(|v| per_variant[usize::try_from(v).unwrap_or(0)]).sum::<u64>()
        })
        .sum();
    println!(
        "survey {} seeded with {} responses ({answer_rows} answer rows) in {:.1} s",
        survey.id,
        args.responses,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
