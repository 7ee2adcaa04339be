"""The data layer of the Steering Dashboard: the only code that talks to the
database. Pages and components import what they need from its modules."""
