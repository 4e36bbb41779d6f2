from tests.overview.world import journey_world  # noqa: F401 - a fixture of these tests
