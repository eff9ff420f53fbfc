"""Reads the test's address notation: tcp:HOST:PORT, unix:PATH, abstract:NAME."""


def parse(text):
    kind, _, rest = text.partition(':')
    if kind == 'tcp':
        host, _, port = rest.rpartition(':')
        return (host, int(port))
    if kind == 'unix':
        return rest
    if kind == 'abstract':
        return '\0' + rest
    raise ValueError(text)
