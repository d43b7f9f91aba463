"""Committee working bodies (委室 / 专门委员会): an office's working bodies, each coordinating a set
of departments, and the page on which the office keeps them. See `liaison.bodies.models`."""
