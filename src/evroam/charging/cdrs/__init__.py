"""CDRs: the priced record of a finished session, its credit and its correction."""
