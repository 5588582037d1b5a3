# Two commands for a fresh machine (see README):
#   make run    set up, train if needed, and chat in the terminal
#   make test   set up, train if needed, and run the whole test suite
.PHONY: setup model run chat serve test lint evaluate evaluate-safeguarding validate benchmark faults

BIN := .venv/bin
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1
# Rasa loads our components, NLG and connectors by module path.
export PYTHONPATH := $(CURDIR)

setup:
	@./scripts/setup.sh

model: setup
	@$(BIN)/python -m bot.training | tail -n 1

# The whole loop on this machine: the web chat page, the console (with a first
# account, shown once), the action server and the worker (scripts/run_local.py).
run: export PYTHONWARNINGS := ignore
run: export TF_CPP_MIN_LOG_LEVEL := 3
run: export SQLALCHEMY_SILENCE_UBER_WARNING := 1
run: model
	@$(BIN)/python -m scripts.run_local --model "$$($(BIN)/python -m bot.training | tail -n 1)"

# The terminal chat, with the action server beside it (forms, status, complaints).
# Third-party warnings are hidden here (not in tests): a newcomer sees the chat.
chat: export PYTHONWARNINGS := ignore
chat: export TF_CPP_MIN_LOG_LEVEL := 3
chat: export SQLALCHEMY_SILENCE_UBER_WARNING := 1
chat: model
	@echo "Starting the chat in the terminal (about 20 seconds). To quit, type /stop."
	@./scripts/with_actions.sh $(BIN)/python -m scripts.chat shell --quiet --model "$$($(BIN)/python -m bot.training | tail -n 1)" --endpoints endpoints.yml --credentials credentials.yml

# The HTTP server with the SMS and Telegram connectors (settings: README, "Channels").
# The action server and the outbox worker run beside it; in production they are
# separate services (see README, "Deploying").
serve: model
	./scripts/with_actions.sh --worker $(BIN)/python -m scripts.serve --model "$$($(BIN)/python -m bot.training | tail -n 1)" --endpoints endpoints.yml --credentials credentials.channels.yml

lint: setup
	$(BIN)/ruff check bot actions channels console tests scripts migrations
	$(BIN)/ruff format --check bot actions channels console tests scripts migrations
	$(BIN)/mypy

test: model lint
	$(BIN)/python -m pytest

# Intent accuracy and macro-F1 per language on the held-out set -> reports/
evaluate: model
	$(BIN)/python -m scripts.evaluate_nlu

# Safeguarding detector recall per category and language, false escalations -> reports/
evaluate-safeguarding: model
	$(BIN)/python -m scripts.evaluate_safeguarding

validate: setup
	$(BIN)/rasa data validate --domain domain.yml --data data --config config.yml

# Ours against plain Rasa (rasa init's defaults) on the same data and requests:
# accuracy, safeguarding, latency and throughput through the SMS webhook,
# training time, memory -> reports/benchmark.{md,json} (about 20 minutes).
benchmark: setup
	$(BIN)/python -m scripts.benchmark

# Every fault-injection test against the running service, as a table -> reports/faults.md
faults: model
	$(BIN)/python -m scripts.faults
