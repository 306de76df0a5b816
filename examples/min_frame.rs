//! The smallest ratatui program that draws one frame: the baseline for the time-to-first-frame
//! benchmark (`benches/startup.rs`). Draws, then waits for a key (at most 10 s) and restores.

use std::time::Duration;

use crossterm::event;
use ratatui::widgets::{Block, Paragraph};

fn main() -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let drawn = terminal.draw(|f| {
        let p = Paragraph::new("min-frame ready").block(Block::bordered().title(" min_frame "));
        f.render_widget(p, f.area());
    });
    // Wait for a key so the process outlives the measurement, as the wizard does.
    let waited = drawn.and_then(|_| event::poll(Duration::from_secs(10)).map(|_| ()));
    ratatui::restore();
    waited
}
