"""The intermediate representation (IR): frozen dataclasses, no I/O, no Jinja."""
