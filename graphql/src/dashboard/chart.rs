//! The weekly trend as an SVG line chart drawn on the server: coordinates computed here, the
//! markup written by the template (its numbers are in a table beside it too).

use serde::Serialize;

/// One line of the chart: a rate per week, `None` where the week has nothing to count.
pub struct Line {
    /// Its name in the legend.
    pub name: String,
    /// Its colour (each with at least 4.5:1 contrast on white).
    pub color: &'static str,
    /// Its dash pattern, so that lines differ without colour too.
    pub dash: &'static str,
    /// The rate of each week, from 0 to 1.
    pub values: Vec<Option<f64>>,
}

/// What the template draws.
#[derive(Debug, Serialize)]
pub struct Chart {
    width: u32,
    height: u32,
    left: u32,
    right: u32,
    grid: Vec<GridLine>,
    ticks: Vec<Tick>,
    series: Vec<Series>,
}

#[derive(Debug, Serialize)]
struct GridLine {
    y: f64,
    label: String,
}

#[derive(Debug, Serialize)]
struct Tick {
    x: f64,
    label: String,
}

#[derive(Debug, Serialize)]
struct Series {
    name: String,
    color: &'static str,
    dash: &'static str,
    points: String,
    dots: Vec<Dot>,
}

#[derive(Debug, Serialize)]
struct Dot {
    x: f64,
    y: f64,
}

const WIDTH: u32 = 640;
const HEIGHT: u32 = 260;
const LEFT: u32 = 56;
const RIGHT: u32 = 624;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 228.0;
/// At most this many week labels under the axis, so that they never overlap.
const MAX_TICKS: usize = 8;

fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// The chart of `lines` over weeks labelled `weeks`.
pub fn chart(weeks: &[String], lines: Vec<Line>) -> Chart {
    let count = weeks.len().max(1);
    let x = |index: usize| {
        if count == 1 {
            f64::from(LEFT + RIGHT) / 2.0
        } else {
            round(f64::from(LEFT) + (f64::from(RIGHT - LEFT) * index as f64) / (count - 1) as f64)
        }
    };
    let y = |rate: f64| round(BOTTOM - (BOTTOM - TOP) * rate.clamp(0.0, 1.0));
    let grid = [0.0, 0.25, 0.5, 0.75, 1.0]
        .into_iter()
        .map(|rate| GridLine { y: y(rate), label: format!("{}%", (rate * 100.0) as u32) })
        .collect();
    let step = count.div_ceil(MAX_TICKS).max(1);
    let ticks = weeks
        .iter()
        .enumerate()
        .step_by(step)
        .map(|(index, label)| Tick { x: x(index), label: label.clone() })
        .collect();
    let series = lines
        .into_iter()
        .map(|line| {
            let dots: Vec<Dot> = line
                .values
                .iter()
                .enumerate()
                .filter_map(|(index, value)| value.map(|rate| Dot { x: x(index), y: y(rate) }))
                .collect();
            let points = dots.iter().map(|dot| format!("{},{}", dot.x, dot.y)).collect::<Vec<_>>().join(" ");
            Series { name: line.name, color: line.color, dash: line.dash, points, dots }
        })
        .collect();
    Chart { width: WIDTH, height: HEIGHT, left: LEFT, right: RIGHT, grid, ticks, series }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_map_into_the_plot_and_weeks_without_data_are_skipped() {
        let weeks: Vec<String> = (1..=3).map(|week| format!("W{week}")).collect();
        let line = Line { name: "r".into(), color: "#000", dash: "", values: vec![Some(1.0), None, Some(0.0)] };
        let chart = chart(&weeks, vec![line]);
        assert_eq!(chart.series[0].points, format!("{LEFT},{TOP} {RIGHT},{BOTTOM}"));
        assert_eq!(chart.ticks.len(), 3);
        assert_eq!(chart.grid[4].label, "100%");
        let many: Vec<String> = (0..53).map(|week| week.to_string()).collect();
        assert!(chart_ticks(&many) <= MAX_TICKS);
    }

    fn chart_ticks(weeks: &[String]) -> usize {
        chart(weeks, Vec::new()).ticks.len()
    }
}
