"""The offline model: a deterministic chat model built as a small NLU/NLG pipeline.

``language`` → ``normalise`` → ``entities`` + ``intents`` → ``dialogue`` → ``planner`` → ``writer``,
wrapped as a LangChain chat model in ``model.OfflineChatModel``.
"""
