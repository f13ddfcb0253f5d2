"""The Textual explorer: screens, widgets and themes. Talks only to the Backend ABC and the model."""
