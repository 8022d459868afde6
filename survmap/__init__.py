"""survmap: a sourced map of partnerships between US police agencies and surveillance vendors."""
