"""Package data: the project configuration, entity and quote patterns, the stance lexicon, training
configs and the bundled NER model. Shipped inside the package so a plain ``pip install`` works."""
from importlib.resources import files
from pathlib import Path

#: The folder of this package's data files (a real folder: the package is never zipped).
RESOURCES_DIR = Path(str(files(__name__)))
