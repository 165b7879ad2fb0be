"""The pages of the actors app; each module holds its ``urlpatterns`` (combined in ``actors.urls``)."""
