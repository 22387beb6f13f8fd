"""The main window's actions (one per shortcut in editor.ui.shortcuts), its menus and its toolbar."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel

from editor.ui import theme
from editor.ui.shortcuts import SHORTCUTS

ICONS = {"open_folder": "mdi6.folder-open", "library": "mdi6.bookshelf", "grid": "mdi6.view-grid", "loupe": "mdi6.image",
         "develop": "mdi6.tune", "before_after": "mdi6.compare", "undo": "mdi6.undo", "redo": "mdi6.redo",
         "export": "mdi6.export", "zoom": "mdi6.magnify-plus", "shutter": "mdi6.camera-iris",
         "copy_settings": "mdi6.content-copy", "paste_settings": "mdi6.content-paste",
         "fullscreen": "mdi6.fullscreen", "clipping": "mdi6.alert", "crop": "mdi6.crop",
         "side_by_side": "mdi6.compare-horizontal", "quit": "mdi6.exit-to-app"}
MENUS = {"&File": ("open_folder", "export", "quit"),
         "&Edit": ("undo", "redo", "copy_settings", "paste_settings", "reset"),
         "&View": ("library", "grid", "loupe", "develop", "before_after", "side_by_side", "split", "clipping", "zoom",
                   "fullscreen"),
         "&Tools": ("crop", "cancel", "swap_aspect"),
         "&Photo": ("pick", "reject", "unflag", *(f"rate{n}" for n in range(6)), "prev", "next", "shutter"),
         "&Help": ("shortcuts",)}
TOOLBAR_VIEWS = ("open_folder", "library", "grid", "loupe", "develop")
TOOLBAR_EDITS = ("undo", "redo", "crop", "before_after", "clipping", "zoom", "copy_settings", "paste_settings",
                 "export")


def handlers(w) -> dict:
    """What each action does, on main window `w`."""
    # Actions pass `checked` to their slot; lambdas take *_ so it never lands in a parameter.
    return {
        "open_folder": w.choose_folder, "library": lambda *_: w.show_catalog(), "grid": w.show_grid, "loupe": w.show_loupe, "develop": w.show_develop,
        "before_after": lambda *_: w.toggle_compare("before"), "split": lambda *_: w.toggle_compare("split"),
        "side_by_side": lambda *_: w.toggle_compare("side"), "clipping": w.toggle_clipping,
        "zoom": lambda *_: w.loupe.toggle_zoom(), "crop": w.toggle_crop, "cancel": w.cancel_crop,
        "swap_aspect": lambda *_: w.develop.swap_aspect(), "prev": lambda *_: w.step(-1), "next": lambda *_: w.step(1),
        "pick": lambda *_: w.set_flag("pick"), "reject": lambda *_: w.set_flag("reject"),
        "unflag": lambda *_: w.set_flag(None), **{f"rate{n}": (lambda *_, n=n: w.set_rating(n)) for n in range(6)},
        "undo": w.undo, "redo": w.redo, "copy_settings": w.copy_settings, "paste_settings": w.paste_settings,
        "reset": w.reset_all, "export": w.export_selected, "shutter": w.shutter,
        "fullscreen": w.toggle_fullscreen, "shortcuts": w.show_shortcuts, "quit": w.close,
    }


def build_actions(w) -> dict[str, QAction]:
    """One window-wide action per shortcut, keyed by its id in SHORTCUTS."""
    slots = handlers(w)
    actions = {}
    for aid, (key, text) in SHORTCUTS.items():
        act = QAction(theme.icon(ICONS[aid]) if aid in ICONS else theme.icon(""), text, w)
        act.setShortcut(QKeySequence(key))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda *_, slot=slots[aid]: slot())
        w.addAction(act)
        actions[aid] = act
    actions["quit"].setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    actions["quit"].setMenuRole(QAction.MenuRole.QuitRole)
    for aid in ("before_after", "side_by_side", "split", "clipping", "crop"):
        actions[aid].setCheckable(True)
    return actions


# Library sort orders: label -> editor.core.library sort key.
SORTS = {"Capture time": "time", "File name": "name", "Rating": "rating", "Last edited": "edited"}

# Library filters: label -> which entries stay visible.
FILTERS = {
    "All photos": lambda e: True,
    "Picks": lambda e: e.flag == "pick",
    "Not rejected": lambda e: e.flag != "reject",
    "★ 1 or more": lambda e: e.rating >= 1,
    "★★★ 3 or more": lambda e: e.rating >= 3,
    "★★★★★ 5": lambda e: e.rating >= 5,
}


def build_menus_and_toolbar(w, actions: dict[str, QAction]) -> tuple[QComboBox, QComboBox]:
    """Menus and the toolbar; returns the toolbar's sort and filter boxes."""
    for title, ids in MENUS.items():
        menu = w.menuBar().addMenu(title)
        for aid in ids:
            menu.addAction(actions[aid])
    bar = w.addToolBar("Main")
    bar.setObjectName("mainToolbar")
    bar.setMovable(False)
    for aid in TOOLBAR_VIEWS:
        bar.addAction(actions[aid])
    sort_box = QComboBox()
    sort_box.addItems(list(SORTS))
    sort_box.setToolTip("Sort the library")
    bar.addWidget(QLabel("  Sort "))
    bar.addWidget(sort_box)
    filter_box = QComboBox()
    filter_box.addItems(list(FILTERS))
    filter_box.setToolTip("Show only some photos")
    bar.addWidget(QLabel("  Show "))
    bar.addWidget(filter_box)
    bar.addSeparator()
    for aid in TOOLBAR_EDITS:
        bar.addAction(actions[aid])
    return sort_box, filter_box
