"""Leaflet.draw's buttons and hints in the interface language (its ``L.drawLocal``)."""

from __future__ import annotations

from flask_babel import gettext as _


def draw_local() -> dict:
    """Return the parts of ``L.drawLocal`` the editing map shows, translated.

    static/js/draw_local.js merges them over Leaflet.draw's English defaults.
    """
    cancel = {"title": _("Cancel drawing"), "text": _("Cancel")}
    return {
        "draw": {
            "toolbar": {
                "actions": cancel,
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"),
                         "text": _("Delete last point")},
                "buttons": {"polyline": _("Draw a line"), "polygon": _("Draw a polygon")},
            },
            "handlers": {
                "polygon": {"tooltip": {"start": _("Click to start drawing the shape."),
                                        "cont": _("Click to continue drawing the shape."),
                                        "end": _("Click the first point to close the shape.")}},
                "polyline": {"error": _("Error: the edges cannot cross."),
                             "tooltip": {"start": _("Click to start drawing the line."),
                                         "cont": _("Click to continue drawing the line."),
                                         "end": _("Click the last point to finish the line.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {"save": {"title": _("Keep the changes"), "text": _("Done")},
                            "cancel": {"title": _("Cancel editing, discard the changes"),
                                       "text": _("Cancel")},
                            "clearAll": {"title": _("Clear everything"), "text": _("Clear")}},
                "buttons": {"edit": _("Edit the shape"), "editDisabled": _("Nothing to edit"),
                            "remove": _("Delete shapes"),
                            "removeDisabled": _("Nothing to delete")},
            },
            "handlers": {
                "edit": {"tooltip": {"text": _("Drag the handles to change the shape."),
                                     "subtext": _("Click Cancel to undo the changes.")}},
                "remove": {"tooltip": {"text": _("Click a shape to delete it.")}},
            },
        },
    }
