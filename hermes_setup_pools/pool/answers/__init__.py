"""Where the step's answers come from.

``ask``     a person at a terminal: keys at a masked prompt, labels, where keys live, the strategy
``manage``  the action menu of an existing pool (remove, rename, move, replace, reset)
``replay``  going back one question: the questions run again with the earlier answers
``batch``   flags and a key file (CI, Docker): nothing is asked
``keyfile`` the key-file format, read a bounded line at a time
"""
