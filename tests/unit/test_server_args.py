"""The arguments `make run` gives `rasa run`, read by Rasa's own command-line parser."""

from pathlib import Path

import pytest
from rasa.__main__ import create_argument_parser

from ops.servers import ServerConfig, action_server_args, rasa_server_args


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--looks-like-an-option", "plain_token", "-"])
def test_any_token_reaches_rasa_as_the_token(token):
    config = ServerConfig(
        model=Path("/tmp/models/m.tar.gz"),
        auth_token=token,
        rasa_port=5123,
        cors_origins=["https://clinic.example", "http://127.0.0.1:8080"],
    )
    args = create_argument_parser().parse_args(rasa_server_args(config, Path("/tmp/endpoints.yml")))
    assert args.auth_token == token
    assert (args.port, args.model, args.endpoints) == (5123, "/tmp/models/m.tar.gz", "/tmp/endpoints.yml")
    assert args.cors == ["https://clinic.example", "http://127.0.0.1:8080"]


def test_action_server_arguments_are_read_as_given():
    args = create_argument_parser().parse_args(action_server_args(ServerConfig(model=Path("m"), action_port=5077)))
    assert (args.actions, args.port) == ("actions", 5077)
