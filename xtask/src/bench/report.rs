//! The bench's report: sections of rows (measurement, value, generator ceiling, goal, verdict)
//! with free text around them, rendered as the Markdown of `docs/benchmarks.md`.

use super::Settings;

/// How a row stands against its goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A figure without a goal.
    Info,
    /// The goal is met.
    Met,
    /// The goal is missed.
    Missed,
    /// A figure involved is within 20 % of the load generator's ceiling: it measures the
    /// generator, so the goal is neither met nor missed.
    GeneratorBound,
    /// A `--quick` run judges no goal.
    NotJudged,
    /// The measurement itself failed (non-2xx answers or socket errors under load, a page that is
    /// not what it claims): the bench exits non-zero.
    Failed,
}

impl Verdict {
    fn mark(self) -> &'static str {
        match self {
            Verdict::Info => "",
            Verdict::Met => "met",
            Verdict::Missed => "**missed**",
            Verdict::GeneratorBound => "**generator-bound** (not met)",
            Verdict::NotJudged => "not judged (`--quick`)",
            Verdict::Failed => "**failed**",
        }
    }
}

/// A ratio judged against `goal` (`value >= goal`), with as many decimals as it takes for the
/// text to stand on the same side of the goal as the value (two at least, nine at most): a ratio of
/// 0.4981 is shown as 0.498, not as a 0.50 marked missed.
pub fn ratio_text(value: f64, goal: f64) -> String {
    (2..=9)
        .map(|decimals| format!("{value:.decimals$}"))
        .find(|text| {
            text.parse::<f64>()
                .is_ok_and(|shown| (shown >= goal) == (value >= goal))
        })
        .unwrap_or_else(|| format!("{value:.9}"))
}

/// One measurement.
#[derive(Debug, Clone)]
pub struct Row {
    /// What was measured.
    pub what: String,
    /// The figure, with its unit.
    pub value: String,
    /// The generator's ceiling and this figure's share of it, for throughput rows.
    pub ceiling: String,
    /// The goal, if any.
    pub goal: String,
    /// How the figure stands against the goal.
    pub verdict: Verdict,
}

impl Row {
    /// A row without a goal.
    pub fn info(what: impl Into<String>, value: impl Into<String>) -> Self {
        Row {
            what: what.into(),
            value: value.into(),
            ceiling: String::new(),
            goal: String::new(),
            verdict: Verdict::Info,
        }
    }

    /// A row judged against `goal`.
    pub fn goal(
        what: impl Into<String>,
        value: impl Into<String>,
        goal: impl Into<String>,
        verdict: Verdict,
    ) -> Self {
        Row {
            what: what.into(),
            value: value.into(),
            ceiling: String::new(),
            goal: goal.into(),
            verdict,
        }
    }

    /// The same row with a generator-ceiling cell.
    pub fn with_ceiling(mut self, ceiling: impl Into<String>) -> Self {
        self.ceiling = ceiling.into();
        self
    }
}

/// A titled group of rows with Markdown before and after the table.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The `##` heading.
    pub title: String,
    /// Markdown before the table.
    pub intro: String,
    /// The table; none, no table.
    pub rows: Vec<Row>,
    /// Markdown after the table.
    pub outro: String,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct Report {
    header: String,
    sections: Vec<Section>,
}

impl Report {
    /// An empty report for a run with `settings`.
    pub fn new(settings: &Settings) -> Self {
        let mut header = String::from(
            "# Benchmarks\n\nWritten by `cargo xtask bench` in one run on this machine (shared with \
             other work; the load is below); compare ratios and shares of the generator's ceiling, not absolute numbers. \
             Load comes from `wrk`; every throughput row shows the generator's ceiling (wrk, shaped \
             the same way, against a bare hyper server answering a few bytes), and a figure within \
             20 % of it is marked generator-bound, never met. What is timed is checked first (the \
             page's status, items and bytes), and a sample with any non-2xx answer or socket error \
             fails its row and the bench.\n\n",
        );
        if settings.quick {
            header.push_str(
                "This is a `--quick` run: short samples, a smaller scale, a short profile only \
                 where perf and inferno are already installed, and no goal judged (a failed \
                 measurement still fails it).\n\n",
            );
        }
        Report {
            header,
            sections: Vec::new(),
        }
    }

    /// A report of one section.
    pub fn single(settings: &Settings, section: Section) -> Self {
        let mut report = Report::new(settings);
        report.push(section);
        report
    }

    /// Adds a paragraph under the report's introduction.
    pub fn note(&mut self, text: &str) {
        self.header.push_str(text.trim_end());
        self.header.push_str("\n\n");
    }

    /// Appends a section.
    pub fn push(&mut self, section: Section) {
        self.sections.push(section);
    }

    /// The rows whose measurement failed.
    pub fn failures(&self) -> Vec<&Row> {
        self.sections
            .iter()
            .flat_map(|s| &s.rows)
            .filter(|r| r.verdict == Verdict::Failed)
            .collect()
    }

    /// The Markdown.
    pub fn render(&self) -> String {
        let mut out = self.header.clone();
        for section in &self.sections {
            out.push_str(&format!("## {}\n\n", section.title));
            if !section.intro.is_empty() {
                out.push_str(section.intro.trim_end());
                out.push_str("\n\n");
            }
            if !section.rows.is_empty() {
                let ceiling = section.rows.iter().any(|r| !r.ceiling.is_empty());
                if ceiling {
                    out.push_str(
                        "| measurement | value | generator ceiling | goal | |\n\
                         | --- | --- | --- | --- | --- |\n",
                    );
                } else {
                    out.push_str("| measurement | value | goal | |\n| --- | --- | --- | --- |\n");
                }
                for row in &section.rows {
                    if ceiling {
                        out.push_str(&format!(
                            "| {} | {} | {} | {} | {} |\n",
                            row.what,
                            row.value,
                            row.ceiling,
                            row.goal,
                            row.verdict.mark()
                        ));
                    } else {
                        out.push_str(&format!(
                            "| {} | {} | {} | {} |\n",
                            row.what,
                            row.value,
                            row.goal,
                            row.verdict.mark()
                        ));
                    }
                }
                out.push('\n');
            }
            if !section.outro.is_empty() {
                out.push_str(section.outro.trim_end());
                out.push_str("\n\n");
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_is_shown_on_the_side_of_its_goal_it_is_on() {
        assert_eq!(ratio_text(0.7412, 0.7), "0.74");
        assert_eq!(ratio_text(0.4981, 0.5), "0.498");
        assert_eq!(ratio_text(0.69951, 0.7), "0.6995");
        assert_eq!(ratio_text(0.5, 0.5), "0.50");
        assert_eq!(ratio_text(0.4999999, 0.5), "0.4999999");
    }

    #[test]
    fn a_generator_bound_row_is_never_rendered_as_met() {
        let mut report = Report::new(&Settings::full());
        report.push(Section {
            title: "Pages".into(),
            rows: vec![
                Row::goal("ratio", "0.91", "≥ 0.70", Verdict::GeneratorBound)
                    .with_ceiling("60000 req/s; 95 %"),
            ],
            ..Section::default()
        });
        let text = report.render();
        assert!(text.contains(
            "| ratio | 0.91 | 60000 req/s; 95 % | ≥ 0.70 | **generator-bound** (not met) |"
        ));
        assert!(!text.contains("| met |"));
        assert!(text.ends_with("|\n"));
    }
}
