"""The analysis engine: pure functions and small linear models, no database, no network.

``language`` detects nl/en/other, ``tokens`` splits text into sentences, tokens and lemmas,
``sentiment`` scores text with the built-in lexicons and rules and, once trained, with a model
per organisation and language, ``themes`` matches taxonomy keywords and learns a multi-label
classifier, ``linear`` holds the hashed features and the logistic regression they share.
"""
