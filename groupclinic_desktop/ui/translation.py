"""The presenter view's words through Qt's own translation system (the compiled .qm catalogues).

The catalogues and the PDFs' lookup are in core/i18n.py, which never imports Qt; this is the
Qt side of the same words.
"""

from PySide6.QtCore import QTranslator

from groupclinic_desktop.core.i18n import CONTEXT, SOURCE_LANGUAGE, Words, language, qm_path


def qt_translator(code: str) -> QTranslator | None:
    """A QTranslator loaded from the language's compiled .qm; None for English."""
    chosen = language(code).code
    if chosen == SOURCE_LANGUAGE:
        return None
    translator = QTranslator()
    if not translator.load(str(qm_path(chosen))):
        raise FileNotFoundError(f"No compiled translation for {chosen}: {qm_path(chosen)}")
    return translator


def qt_words(code: str, *, confirmed: bool = True) -> Words:
    """Words for the presenter view, looked up through Qt's translation system."""
    translator = qt_translator(code)
    chosen = language(code).code
    if translator is None:
        return Words(chosen, confirmed=True)
    # Keep the translator alive as long as the Words that use it.
    return Words(
        chosen, lookup=lambda text: translator.translate(CONTEXT, text), confirmed=confirmed
    )
