"""Every change to labs, their members and their measures goes through these functions.

Each function takes the acting user (None = the system, e.g. the CLI), checks the permission,
validates the complete input first and writes all of it or nothing, inside one transaction,
and records the new state in the history.

The package: ``states`` (labs and measures as plain data), ``labs``, ``measures`` and
``blueprints`` (export and import of a whole lab as versioned JSON). Every name is available
from ``reallabor.labs.services`` itself.
"""

# The models that callers reach through this module (``labs.Lab`` in core/demo/bottrop.py).
from reallabor.labs.models import Lab, LabMembership
from reallabor.labs.services.blueprints import ImportResult, export_blueprint, import_blueprint
from reallabor.labs.services.common import (
    EVIDENCE_EXTENSIONS,
    LAB_FIELDS,
    MEASURE_FIELDS,
    PROFILE_SECTIONS,
    RESERVED_LAB_SLUGS,
)
from reallabor.labs.services.labs import (
    create_lab,
    delete_lab,
    remove_lab_member,
    remove_lab_organisation,
    set_lab_member,
    set_lab_organisation,
    set_lab_published,
    update_lab,
)
from reallabor.labs.services.measures import (
    MEASURE_INPUT,
    create_measure,
    delete_measure,
    move_measure,
    reorder_measures,
    restore_measure,
    set_measure_published,
    update_measure,
)
from reallabor.labs.services.states import lab_state, measure_state

__all__ = [
    "EVIDENCE_EXTENSIONS",
    "LAB_FIELDS",
    "MEASURE_FIELDS",
    "MEASURE_INPUT",
    "PROFILE_SECTIONS",
    "RESERVED_LAB_SLUGS",
    "ImportResult",
    "Lab",
    "LabMembership",
    "create_lab",
    "create_measure",
    "delete_lab",
    "delete_measure",
    "export_blueprint",
    "import_blueprint",
    "lab_state",
    "measure_state",
    "move_measure",
    "remove_lab_member",
    "remove_lab_organisation",
    "reorder_measures",
    "restore_measure",
    "set_lab_member",
    "set_lab_organisation",
    "set_lab_published",
    "set_measure_published",
    "update_lab",
    "update_measure",
]
