//! The default theme, compiled into the binary: a site needs no `theme/` folder, and one it has overrides these
//! files one by one (a site may carry only `theme/templates/page.html`). The files are this repository's
//! `theme/`; a test keeps this list equal to that folder.

/// Templates by file name.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("404.html", include_str!("../../theme/templates/404.html")),
    ("base.html", include_str!("../../theme/templates/base.html")),
    ("page.html", include_str!("../../theme/templates/page.html")),
];

/// Assets by file name.
pub(crate) const ASSETS: &[(&str, &[u8])] = &[
    ("site.js", include_bytes!("../../theme/assets/site.js")),
    ("style.css", include_bytes!("../../theme/assets/style.css")),
    ("theme.js", include_bytes!("../../theme/assets/theme.js")),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &str) -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../theme").join(dir);
        let mut n: Vec<String> =
            std::fs::read_dir(path).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    }

    #[test]
    fn every_file_of_the_theme_folder_is_built_in() {
        assert_eq!(TEMPLATES.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>(), names("templates"));
        assert_eq!(ASSETS.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>(), names("assets"));
    }
}
