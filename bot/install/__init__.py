"""Set-up time: the model files and a llama.cpp build proven on this CPU. Standard library only."""
