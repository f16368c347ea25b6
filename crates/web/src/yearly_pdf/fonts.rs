//! The report's two fonts, embedded in the binary (DejaVu Sans and its bold, under the
//! Bitstream Vera licence: `crates/web/fonts/LICENSE-DejaVu.txt`), and the measuring that
//! wrapping needs: the width of a text is the sum of its characters' advances in the
//! font itself, so a line that is measured to fit does fit. krilla shapes with kerning,
//! which only ever makes these fonts' lines a little narrower than measured.

use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

const REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// Which of the two fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    Regular,
    Bold,
}

impl Weight {
    pub(super) fn bytes(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR,
            Weight::Bold => BOLD,
        }
    }
}

/// Measures text in one of the fonts.
pub(super) struct Measure<'a> {
    font: FontRef<'a>,
    units_per_em: f32,
}

impl Measure<'static> {
    /// `None` only if the embedded font were damaged (a test reads both).
    pub(super) fn new(weight: Weight) -> Option<Measure<'static>> {
        let font = FontRef::new(weight.bytes()).ok()?;
        let units_per_em = f32::from(
            font.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        (units_per_em > 0.0).then_some(Measure { font, units_per_em })
    }
}

impl Measure<'_> {
    /// The width of `text` at `size` points. A character the font lacks is drawn as its
    /// "missing" glyph (glyph 0), and measured as that.
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
        let charmap = self.font.charmap();
        let metrics = self
            .font
            .glyph_metrics(Size::unscaled(), LocationRef::default());
        let units: f32 = text
            .chars()
            .map(|ch| {
                let glyph = charmap.map(ch).unwrap_or_default();
                metrics.advance_width(glyph).unwrap_or(0.0)
            })
            .sum();
        units / self.units_per_em * size
    }

    /// `text` in lines no wider than `width`, broken between words; a word wider than a
    /// line on its own is broken between its characters. White space (new lines
    /// included) separates words; an empty text is no lines.
    pub(super) fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if self.width(word, size) <= width {
                line = word.to_owned();
                continue;
            }
            // A word too long for a line: as many characters as fit, then the rest.
            for ch in word.chars() {
                let mut longer = line.clone();
                longer.push(ch);
                if !line.is_empty() && self.width(&longer, size) > width {
                    lines.push(std::mem::take(&mut line));
                    line.push(ch);
                } else {
                    line = longer;
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_their_width_and_keep_every_word() {
        let measure = Measure::new(Weight::Regular).expect("the embedded font reads");
        assert!(Measure::new(Weight::Bold).is_some());
        let text = "De helft van de afgeronde meldingen was binnen 12,5 dagen afgerond. \
                    Een_heel_lang_woord_zonder_spaties_dat_niet_op_een_regel_past_en_toch_gelezen_moet_worden.";
        for width in [60.0, 150.0, 400.0] {
            let lines = measure.wrap(text, 10.0, width);
            for line in &lines {
                assert!(measure.width(line, 10.0) <= width, "{line} in {width}");
            }
            let joined: String = lines.concat().split_whitespace().collect();
            let original: String = text.split_whitespace().collect();
            assert_eq!(joined, original, "nothing lost at {width}");
        }
        assert!(measure.wrap("  \n ", 10.0, 100.0).is_empty());
        // Wider text measures wider; a space has a width.
        assert!(measure.width("WWW", 10.0) > measure.width("iii", 10.0));
        assert!(measure.width(" ", 10.0) > 0.0);
    }
}
