//! The scale section's SVG: memory per block and page latency against registry size (log scale),
//! drawn with plotters' SVG backend.

use std::path::Path;

use plotters::prelude::*;

/// One registry size of the growth curve.
#[derive(Debug, Clone)]
pub struct Point {
    /// Unit blocks.
    pub blocks: u64,
    /// RSS difference from the reference registry over the block difference.
    pub bytes_per_block: f64,
    /// Median latency in ms of each page, in the order of the labels [`scale`] is given.
    pub latencies: Vec<f64>,
}

const COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Draws the two charts side by side into `path`; `pages` names the latency series.
pub fn scale(path: &Path, points: &[Point], goal: f64, pages: &[&str]) -> Result<(), String> {
    if points.is_empty() {
        return Err("no registry size beyond the reference was measured".into());
    }
    draw(path, points, goal, pages).map_err(|e| format!("drawing {}: {e}", path.display()))
}

fn draw(
    path: &Path,
    points: &[Point],
    goal: f64,
    pages: &[&str],
) -> Result<(), Box<dyn std::error::Error + 'static>> {
    let x_min = points.iter().map(|p| p.blocks).min().unwrap_or(1) as f64 / 2.0;
    let x_max = points.iter().map(|p| p.blocks).max().unwrap_or(1) as f64 * 2.0;
    let area = SVGBackend::new(path, (1100, 460)).into_drawing_area();
    area.fill(&WHITE)?;
    let (left, right) = area.split_horizontally(530);
    let blocks_label = |x: &f64| format!("{x:.0e}");

    let memory_max = points
        .iter()
        .map(|p| p.bytes_per_block)
        .fold(goal, f64::max)
        * 1.2;
    let mut chart = ChartBuilder::on(&left)
        .caption("Memory per unit block", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((x_min..x_max).log_scale(), 0f64..memory_max)?;
    chart
        .configure_mesh()
        .x_desc("unit blocks (accounts = blocks / 100)")
        .y_desc("bytes per block (RSS)")
        .x_label_formatter(&blocks_label)
        .draw()?;
    let series: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p.blocks as f64, p.bytes_per_block))
        .collect();
    chart
        .draw_series(LineSeries::new(series.clone(), COLOURS[0].stroke_width(2)))?
        .label("measured")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], COLOURS[0]));
    chart.draw_series(
        series
            .iter()
            .map(|&(x, y)| Circle::new((x, y), 4, COLOURS[0].filled())),
    )?;
    chart
        .draw_series(LineSeries::new(vec![(x_min, goal), (x_max, goal)], RED))?
        .label(format!("goal ≤ {goal:.0} bytes"))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()?;

    // Head room above the highest point for the legend.
    let latency_max = points
        .iter()
        .flat_map(|p| p.latencies.iter().copied())
        .fold(0.0, f64::max)
        * 1.8;
    let mut chart = ChartBuilder::on(&right)
        .caption("Median page latency, busiest account", ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((x_min..x_max).log_scale(), 0f64..latency_max.max(0.1))?;
    chart
        .configure_mesh()
        .x_desc("unit blocks (accounts = blocks / 100)")
        .y_desc("ms")
        .x_label_formatter(&blocks_label)
        .draw()?;
    for (i, page) in pages.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let series: Vec<(f64, f64)> = points
            .iter()
            .filter_map(|p| Some((p.blocks as f64, *p.latencies.get(i)?)))
            .collect();
        chart
            .draw_series(LineSeries::new(series.clone(), colour.stroke_width(2)))?
            .label(*page)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        chart.draw_series(
            series
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 3, colour.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        // Above the smallest registries' points, clear of the largest ones.
        .position(SeriesLabelPosition::UpperLeft)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()?;
    area.present()?;
    Ok(())
}
