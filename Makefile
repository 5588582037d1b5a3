# Two commands for a fresh machine (see README):
#   make run    set up, train if needed, and chat in the terminal
#   make test   set up, train if needed, and run the whole test suite
.PHONY: setup model run test lint evaluate validate

BIN := .venv/bin
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

setup:
	@./scripts/setup.sh

model: setup
	@$(BIN)/python -m bot.training | tail -n 1

run: model
	$(BIN)/rasa shell --model "$$($(BIN)/python -m bot.training | tail -n 1)" --endpoints endpoints.yml --credentials credentials.yml

lint: setup
	$(BIN)/ruff check bot actions channels tests scripts
	$(BIN)/ruff format --check bot actions channels tests scripts
	$(BIN)/mypy

test: model lint
	$(BIN)/python -m pytest

# Intent accuracy and macro-F1 per language on the held-out set -> reports/
evaluate: model
	$(BIN)/python -m scripts.evaluate_nlu

validate: setup
	$(BIN)/rasa data validate --domain domain.yml --data data --config config.yml
